import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Builds the site in a process of its own while the tests run (test/browser/global-setup.ts).
    globalSetup: ['test/browser/global-setup.ts'],
    // Both cores: vitest's default leaves one idle (cpus - 1), and most files are single-threaded
    // CPU work; the background build and Chromium share the machine with them.
    maxWorkers: 2,
  },
});
