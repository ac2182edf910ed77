import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/**
 * Worker processes for the port tests that need another user, a mount or a file-descriptor limit:
 * they run the built allocator (packages/*\/dist) from a copy every user can read, so that a
 * process running as `nobody` can load it wherever the repository is checked out (a clone under
 * /root is not traversable by other users).
 */

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '../../..');

export const isRoot = process.geteuid?.() === 0;

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const nobodyExists = spawnSync('id', ['-u', 'nobody'], { stdio: 'ignore' }).status === 0;

/** The argv prefix that runs a command as `nobody`, or why there is none (a skip reason). */
export const asNobody: { argv: string[] } | { missing: string } = !isRoot
  ? { missing: 'root (to start a process as `nobody`; .ci/run runs as root)' }
  : !nobodyExists
    ? { missing: 'a `nobody` user' }
    : onPath('setpriv')
      ? { argv: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] }
      : onPath('runuser')
        ? { argv: ['runuser', '-u', 'nobody', '--'] }
        : { missing: 'setpriv or runuser (util-linux)' };

/** Why private mounts cannot be made here (a skip reason), or undefined when they can. */
export const mountsMissing: string | undefined = !isRoot
  ? 'root (to mount a read-only or a tiny tmpfs in a private mount namespace; .ci/run runs as root)'
  : !onPath('unshare') || !onPath('mount')
    ? 'unshare and mount (util-linux)'
    : spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status !== 0
      ? 'permission to create a mount namespace (CAP_SYS_ADMIN)'
      : undefined;

/**
 * Fail clearly rather than test stale code: the workers import the built allocator. tsc -b leaves
 * an output whose content did not change untouched but always rewrites the project's tsbuildinfo:
 * a source newer than both was not built.
 */
export function assertFreshBuild(): void {
  const harness = join(packages, 'harness');
  const buildInfo = join(harness, 'tsconfig.tsbuildinfo');
  const lastBuild = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0;
  for (const file of readdirSync(join(harness, 'src/ports')).filter((f) => f.endsWith('.ts'))) {
    const built = join(harness, 'dist/ports', file.replace(/\.ts$/, '.js'));
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (these workers import the built allocator)`);
    const stale = statSync(join(harness, 'src/ports', file)).mtimeMs > Math.max(statSync(built).mtimeMs, lastBuild);
    if (stale) throw new Error(`${built} is older than src/ports/${file}: run \`npm run build\``);
  }
}

/** A copy of the built runtime and harness plus the worker fixtures, readable by every user; removed when the test finishes. */
export function publicBuild(): { root: string; fixture(name: string): string } {
  assertFreshBuild();
  const root = mkdtempSync(join(tmpdir(), 'quiesce-ports-build-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  for (const pkg of ['runtime', 'harness']) {
    const to = join(root, 'node_modules/@quiesce', pkg);
    mkdirSync(to, { recursive: true });
    cpSync(join(packages, pkg, 'package.json'), join(to, 'package.json'));
    cpSync(join(packages, pkg, 'dist'), join(to, 'dist'), { recursive: true });
  }
  cpSync(join(here, 'fixtures'), join(root, 'fixtures'), { recursive: true });
  return { root, fixture: (name) => join(root, 'fixtures', name) };
}

/** A directory every user can create files in (like /tmp), on tmpfs where there is one; removed when the test finishes. */
export function sharedParent(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'quiesce-ports-shared-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o1777);
  return dir;
}

export interface Worker {
  readonly child: ChildProcess;
  /** The next JSON line the worker prints. */
  next<T = Record<string, unknown>>(): Promise<T>;
  send(message: unknown): void;
  /** Resolves with the exit code once the worker has exited. */
  readonly exited: Promise<number | null>;
}

/**
 * Start `argv` (a worker fixture run by node, possibly behind a prefix such as setpriv) with a
 * clean environment plus `env`. Killed when the test finishes if still running.
 */
export function startWorker(argv: readonly string[], env: Record<string, string> = {}): Worker {
  const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': by then every line the worker printed has been read.
  const exited = once(child, 'close').then(([code]) => code as number | null);
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const resolve = waiting.shift();
    if (resolve) resolve(line);
    else lines.push(line);
  });
  const early = exited.then((code) => Promise.reject(new Error(`worker ${argv.join(' ')} exited (${code}) before printing what was expected:\n${stderr}`)));
  early.catch(() => undefined);
  return {
    child,
    exited,
    next: <T>() => {
      const line = lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise<string>((resolve) => waiting.push(resolve));
      return Promise.race([line, early]).then((text) => JSON.parse(text) as T);
    },
    send: (message) => child.stdin!.write(`${JSON.stringify(message)}\n`),
  };
}
