#!/usr/bin/env node
/**
 * The `quiesce` command (bin of @quiesce/harness). Its own entry: the package's main entry
 * builds Vitest fixtures when it loads and only works inside a Vitest worker.
 */
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// Vitest's pools may keep handles open after close(): exit once the output is flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
