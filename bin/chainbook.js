#!/usr/bin/env node
// The installed command. chainbook ships its TypeScript as it is: tsx compiles it on load.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
