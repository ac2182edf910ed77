import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../../src/flaky/seeds.js';
import { cleanEnv, runCommand, type SubprocessResult } from '../preset/vitest-subprocess.js';

const harness = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(harness, 'dist/cli/bin.js');
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

/**
 * The CLI tests run the built bin, as a user does: fail clearly rather than test stale code.
 * tsc -b always rewrites the tsbuildinfo, so a source newer than both its output and it was not built.
 */
export function assertFreshBuild(): void {
  const buildInfo = join(harness, 'tsconfig.tsbuildinfo');
  const lastBuild = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0;
  for (const dir of ['cli', 'flaky', 'report', 'load']) {
    for (const file of readdirSync(join(harness, 'src', dir)).filter((f) => f.endsWith('.ts'))) {
      const built = join(harness, 'dist', dir, file.replace(/\.ts$/, '.js'));
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (these tests run the built quiesce bin)`);
      if (statSync(join(harness, 'src', dir, file)).mtimeMs > Math.max(statSync(built).mtimeMs, lastBuild)) {
        throw new Error(`${built} is older than src/${dir}/${file}: run \`npm run build\``);
      }
    }
  }
}

/** Run `quiesce ARGS` in `cwd` with a clean environment; resolves on the child's close event. */
export function quiesce(args: readonly string[], cwd: string, signal?: AbortSignal, env: Record<string, string> = {}): Promise<SubprocessResult> {
  assertFreshBuild();
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return runCommand(`cd ${shellQuote(cwd)} && ${command}`, cleanEnv(env), signal);
}
