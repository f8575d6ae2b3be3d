#!/usr/bin/env node
// The installed command. chainbook ships its TypeScript as it is: tsx compiles it on load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
