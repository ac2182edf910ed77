import { spawn, type ChildProcess } from 'node:child_process';
import { InvalidOptionError } from '../../errors.js';
import type { GroupReaper } from '../../process/runtime-options.js';
import { REAPER_SCRIPT } from './reaper-script.js';

/**
 * Guarantees that OS process groups die with the process that started them, even when that
 * process (a Vitest worker) is killed with SIGKILL and runs no cleanup at all.
 *
 * On first use it starts one small detached reaper process (see reaper-script.ts) with a pipe
 * to its stdin, and tells it about every group as it starts (`+pgid`) and ends (`-pgid`). When
 * the pipe closes — this process exited normally or was killed — the reaper SIGKILLs the groups
 * still registered and exits. The reaper is detached (its own session, so a signal to this
 * process's group does not reach it) and unreferenced (it never keeps this process alive). If it
 * dies, the next registration starts a new one and tells it every group still registered.
 *
 * Containers are covered the same way: `watchContainers(endpoint, label)` tells it that every
 * container carrying `label` on that engine belongs to this process; when the pipe closes it
 * force-removes them through the engine's API. A label, not ids, so a container is covered from
 * the moment it is created, before its id is known here.
 */
export class ProcessGroupReaper implements GroupReaper {
  readonly #groups = new Set<number>();
  /** Container watches, as the protocol lines that announce them. */
  readonly #containers = new Set<string>();
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #warned = false;

  /** The reaper process's pid, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The groups it will kill if this process dies now. */
  get groups(): readonly number[] {
    return [...this.#groups];
  }

  /** A group started: kill it if this process dies before `unregister`. */
  register(pgid: number): void {
    if (!Number.isInteger(pgid) || pgid <= 1 || this.#groups.has(pgid)) return;
    this.#groups.add(pgid);
    if (this.#child) this.#write(`+${pgid}\n`);
    else this.#start();
  }

  /**
   * Remove every container labelled `label` (`key=value`) on the engine at `endpoint`
   * (`unix:///path/docker.sock` or `http://host:port`) if this process dies. Idempotent.
   */
  watchContainers(endpoint: string, label: string): void {
    if (typeof endpoint !== 'string' || !/^(unix|http|tcp):\/\//.test(endpoint)) {
      throw new InvalidOptionError('watchContainers(endpoint)', endpoint, "a Docker Engine API address: 'unix:///path/docker.sock' or 'http://host:port'");
    }
    if (typeof label !== 'string' || !/^[^=\n]+=[^\n]+$/.test(label)) {
      const accepted = "a label 'key=value' with a non-empty value (a bare key would match every container that has it)";
      throw new InvalidOptionError('watchContainers(label)', label, accepted);
    }
    const line = `C${JSON.stringify({ endpoint: endpoint.replace(/^tcp:/, 'http:'), label })}\n`;
    if (this.#containers.has(line)) return;
    this.#containers.add(line);
    if (this.#child) this.#write(line);
    else this.#start();
  }

  /** The container labels it will remove if this process dies now, with their engines. */
  get containerWatches(): ReadonlyArray<{ endpoint: string; label: string }> {
    return [...this.#containers].map((line) => JSON.parse(line.slice(1)) as { endpoint: string; label: string });
  }

  /** A group is gone: forget it (its number may be reused by an unrelated group later). */
  unregister(pgid: number): void {
    if (!this.#groups.delete(pgid)) return;
    if (this.#child) this.#write(`-${pgid}\n`);
  }

  /**
   * Close the pipe as if this process had died: the reaper kills every group still registered,
   * removes the watched containers, and exits. Resolves when it has exited. The next `register` starts a new reaper.
   */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    this.#groups.clear();
    this.#containers.clear();
    child.stdin?.end();
    await this.#exited;
  }

  /** Start a reaper and tell it every group registered so far. */
  #start(): void {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', REAPER_SCRIPT, 'quiesce-reaper', String(process.pid)], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        // Not in a directory a test might remove, and without loaders or coverage hooks meant for tests.
        cwd: '/',
        env: reaperEnv(),
      });
    } catch (error) {
      this.#warn(error);
      return;
    }
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (error) => {
      if (this.#child === child) this.#child = undefined;
      this.#warn(error);
    });
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    // Writes to a reaper that just died fail with EPIPE; the exit handler above already restarts it.
    child.stdin?.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    // Tell the new reaper every group and container watch still registered (all of them, when it is restarted).
    this.#write([...this.#groups].map((g) => `+${g}\n`).join('') + [...this.#containers].join(''));
  }

  #write(text: string): void {
    if (text !== '') this.#child?.stdin?.write(text);
  }

  #warn(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(
      `Quiesce could not start its reaper: OS processes will not be killed if this process is killed (${(error as Error).message})`,
      'QuiesceWarning',
    );
  }
}

function reaperEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  return env;
}

let shared: ProcessGroupReaper | undefined;

/** This process's reaper (one per process or worker thread), created on first use. */
export function processReaper(): ProcessGroupReaper {
  return (shared ??= new ProcessGroupReaper());
}
