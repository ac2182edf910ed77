import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: fixture configs use it as their root, so file names match the replay commands. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface SubprocessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a nested `vitest run` gets: ours minus Vitest's worker variables (which would
 * make it think it is a worker) and minus Quiesce's (each test sets the ones it means).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|QUIESCE_|TEST$|NODE_OPTIONS$|FORCE_COLOR$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', CI: 'true', ...extra };
}

/** Run a shell command line from the repository root; resolves on the child's exit event. */
export function runCommand(commandLine: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<SubprocessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', commandLine], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr }));
  });
}

/** `vitest run` with a fixture config, from the repository root. */
export function runVitest(args: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<SubprocessResult> {
  return runCommand(`npx vitest run ${args}`, env, signal);
}
