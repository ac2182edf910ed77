import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { QuiesceError, formatValue } from '../../errors.js';
import type { TimerHandle } from '../../kernel/clock.js';
import { formatTimeline } from '../../kernel/history.js';
import { withinReal } from '../../kernel/real-time.js';
import type { Runtime } from '../../process/runtime.js';
import { LineSplitter } from '../lines.js';
import { awaitGroupGone, groupState, signalGroup } from './process-group.js';

/** How an OS process ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Who sent a signal, for the `os.kill` event. */
export type SignalledBy = 'test' | 'teardown' | 'supervisor' | 'runtime' | 'chaos';

export interface OsGroupOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly stdin: 'pipe' | 'ignore';
  /** Source of its history events. */
  readonly source: string;
  /** The start is complete when a stdout line satisfies it; without it, as soon as the program runs. */
  readonly ready?: ((line: string) => boolean) | undefined;
  /** For messages: "matching /ready/". */
  readonly readyDescription?: string | undefined;
  /** Kernel milliseconds to wait for `ready` (virtual time flows with real time meanwhile). */
  readonly readyTimeout?: number | undefined;
  /** Record every stdout line (`os.stdout`). */
  readonly stdoutLines: boolean;
  /** Record every stderr line (`os.stderr`). */
  readonly stderrLines: boolean;
  /** Keep every stdout line in `lines` (for waits on lines printed before they began). */
  readonly keepLines: boolean;
  /** When the program exits, SIGKILL whatever is left of its group at once. */
  readonly reapOnExit: boolean;
}

/** Real milliseconds to wait for the output to close once the group has been sent SIGKILL. */
const CLOSE_BOUND = 2_000;
/** Real milliseconds to wait for the last member of a killed group to be reaped. */
const GONE_BOUND = 5_000;
/** How much of stderr to keep for the messages of failed starts. */
const STDERR_TAIL = 2_000;

/**
 * One OS program and its whole process group: the one implementation behind both ways of
 * starting an OS process (a supervised `osProcess` child and the harness's `system.spawn`).
 *
 * - Started with an argv array (never a shell), detached so it leads a new process group.
 * - Registered with the runtime's reaper at once (the group dies if this process is SIGKILLed)
 *   and counted as a live external actor of the runtime until its output has closed, so waits
 *   wait for it and virtual time flows with real time while it lives.
 * - Readiness: a stdout line that satisfies `ready`, within `readyTimeout` kernel milliseconds.
 * - Stopping: `terminate` sends SIGTERM to the group, SIGKILL after `killTimeout` real
 *   milliseconds, then waits (bounded) until every member is gone.
 *
 * History (source: `options.source`): `os.spawn` { command, args, pid }, `os.ready` { pid, line },
 * `os.stdout` / `os.stderr` { pid, line } with `lines`, `os.kill` { pid, signal, by },
 * `os.exit` { pid, code, signal } once it has exited and its output is closed,
 * `os.spawn_failed` { command, error }, `os.ready_timeout` { pid, timeout }, and `probe.group`
 * { pgid, attempt, state } while a termination waits for the last member to be reaped.
 */
export class OsProcessGroup {
  /** What it is, for leak reports and messages: `node server.mjs (pid 4242)`. */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Every stdout line so far (with `keepLines`). */
  readonly lines: string[] = [];
  /** Resolves when ready; rejects (SPAWN_FAILED, READY_TIMEOUT) only once the group is gone. */
  readonly started: Promise<void>;
  /** Resolves when the program has exited and its output is closed (undefined: it never started). */
  readonly closed: Promise<ExitStatus | undefined>;

  readonly #runtime: Runtime;
  readonly #options: OsGroupOptions;
  readonly #child: ChildProcess | undefined;
  readonly #pid: number | undefined;
  readonly #lineListeners = new Set<(line: string, index: number) => void>();
  readonly #leaderExit: Promise<void>;
  #resolveLeaderExit = (): void => undefined;
  #resolveClosed: (status: ExitStatus | undefined) => void = () => undefined;
  #resolveStarted = (): void => undefined;
  #rejectStarted: (error: unknown) => void = () => undefined;
  #releaseExternal: () => void = () => undefined;
  #stderrTail = '';
  #spawnError: (Error & { code?: string }) | undefined;
  #leaderExited = false;
  #isClosed = false;
  #status: ExitStatus | undefined;
  #readiness: 'waiting' | 'ready' | 'failed' = 'waiting';
  #readyTimer: TimerHandle | undefined;
  #terminating: Promise<void> | undefined;
  /** No member of the group is left at all (zombies reaped too). */
  #groupGone = false;
  /** The reaper no longer knows the group (no live member is left). */
  #unregistered = false;

  constructor(runtime: Runtime, options: OsGroupOptions) {
    this.#runtime = runtime;
    this.#options = options;
    this.command = options.command;
    this.args = options.args;
    this.#leaderExit = new Promise((resolve) => (this.#resolveLeaderExit = resolve));
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.started = new Promise((resolve, reject) => {
      this.#resolveStarted = resolve;
      this.#rejectStarted = reject;
    });
    this.started.catch(() => undefined);

    let child: ChildProcess | undefined;
    try {
      child = spawnChild(options.command, [...options.args], {
        detached: true,
        stdio: [options.stdin, 'pipe', 'pipe'],
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
    } catch (error) {
      // Some failures (ENAMETOOLONG, E2BIG) are thrown rather than emitted.
      this.#spawnError = error as Error;
    }
    this.#child = child;
    this.#pid = child?.pid;
    const line = [basename(options.command), ...options.args].join(' ');
    // A long command line keeps its end (the arguments), not its start.
    this.label = `${line.length > 120 ? `…${line.slice(-119)}` : line}${this.#pid !== undefined ? ` (pid ${this.#pid})` : ''}`;
    // Registered before anything else can happen: if this process dies from here on, the group dies.
    if (this.#pid !== undefined) runtime.reaper?.register(this.#pid);
    // Live from the fork on: a start in progress is external work too.
    this.#releaseExternal = runtime.holdExternal(this.actor);
    if (child) this.#watch(child);
    else queueMicrotask(() => this.#onClosed(null, null));
    if (options.ready && options.readyTimeout !== undefined && this.#pid !== undefined) {
      this.#readyTimer = runtime.setTimer(options.readyTimeout, () => void this.#onReadyTimeout());
    }
  }

  /** The label it is held under as a live external actor of the runtime (`runtime.externalActors()`). */
  get actor(): string {
    return `OS process ${this.label}`;
  }

  /** The OS pid of the program, which is also its process group id (undefined if it never started). */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** Its stdin, with `stdin: 'pipe'`; null otherwise. */
  get stdin(): Writable | null {
    return this.#child?.stdin ?? null;
  }

  /** How it ended, once it has exited and its output is closed. */
  get exitStatus(): ExitStatus | undefined {
    return this.#status;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  get readiness(): 'waiting' | 'ready' | 'failed' {
    return this.#readiness;
  }

  /** Why the program could not be started (ENOENT, EACCES), if it could not. */
  get spawnError(): (Error & { code?: string }) | undefined {
    return this.#spawnError;
  }

  /** The last characters it wrote to stderr. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** Call `listener` for every later stdout line; returns the function that removes it. */
  onLine(listener: (line: string, index: number) => void): () => void {
    this.#lineListeners.add(listener);
    return () => {
      this.#lineListeners.delete(listener);
    };
  }

  /**
   * Send `signal` to the whole group; recorded as `os.kill`. Does nothing (returns false) once
   * the group is gone: after the leader has been reaped its number may belong to someone else.
   */
  signal(signal: NodeJS.Signals | number, by: SignalledBy): boolean {
    const pgid = this.#pid;
    if (pgid === undefined || this.#groupGone) return false;
    if (this.#leaderExited && groupState(pgid) === 'gone') return false;
    if (!signalGroup(pgid, signal)) return false;
    this.#runtime.record('os.kill', this.#options.source, { pid: pgid, signal, by });
    return true;
  }

  /** Whether any live member of its process group remains. */
  alive(): boolean {
    if (this.#pid === undefined || this.#groupGone) return false;
    if (!this.#leaderExited) return true;
    return groupState(this.#pid) === 'alive';
  }

  /**
   * SIGTERM to the group (when `graceful` and the program still runs), SIGKILL after
   * `killTimeout` real milliseconds, SIGKILL to whatever is left, then wait (bounded) until
   * every member is gone. Idempotent: later calls share the first one's outcome.
   */
  terminate(graceful: boolean, killTimeout: number, by: SignalledBy): Promise<void> {
    // Killing and reaping the group is external work in flight: nothing may be declared impossible meanwhile.
    this.#terminating ??= this.#runtime.external(this.#terminate(graceful, killTimeout, by));
    return this.#terminating;
  }

  /** Fail a start that is still waiting: kill the group, wait until it is gone, then reject. */
  async failStart(error: QuiesceError, by: SignalledBy = 'runtime'): Promise<void> {
    if (this.#readiness !== 'waiting') return;
    this.#readiness = 'failed';
    this.#cancelReadyTimer();
    await this.terminate(false, 0, by);
    this.#rejectStarted(error);
  }

  /** An error about this program with its stderr tail and the history's last events. */
  startError(code: 'SPAWN_FAILED' | 'READY_TIMEOUT' | 'START_FAILED', message: string, details: Record<string, unknown> = {}): QuiesceError {
    const stderr = this.#stderrTail.trim();
    const history = this.#runtime.history;
    return new QuiesceError(
      code,
      message +
        (stderr ? `\n\nstderr (last ${STDERR_TAIL} characters):\n${stderr}` : '') +
        `\n\nlast ${Math.min(15, history.length)} events:\n${formatTimeline(history.tail(15)) || '  (no events)'}`,
      { command: this.command, args: [...this.args], pid: this.#pid, ...details, ...(stderr ? { output: stderr } : {}) },
    );
  }

  /** "exited with code 1", "was killed by SIGKILL", "could not be started". */
  describeEnd(): string {
    const status = this.#status;
    if (!status) return 'could not be started';
    return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
  }

  // ------------------------------------------------------------------ internals

  #watch(child: ChildProcess): void {
    const source = this.#options.source;
    const stdout = new LineSplitter((line) => this.#onStdoutLine(line));
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stdout!.on('end', () => stdout.end());
    const stderr = new LineSplitter((line) => {
      if (this.#options.stderrLines) this.#runtime.record('os.stderr', source, { pid: this.#pid, line });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
      stderr.push(chunk);
    });
    child.stderr!.on('end', () => stderr.end());
    // Writing to a program that has exited fails with EPIPE; that is the program's exit, seen below.
    child.stdin?.on('error', () => undefined);
    child.on('spawn', () => {
      this.#runtime.record('os.spawn', source, { command: this.command, args: [...this.args], pid: this.#pid });
      if (!this.#options.ready && this.#readiness === 'waiting') {
        this.#readiness = 'ready';
        this.#resolveStarted();
      }
    });
    // Only spawn failures arrive here (this class never uses child.kill or child.send); 'close' follows.
    child.on('error', (error) => {
      this.#spawnError ??= error;
    });
    child.on('exit', () => {
      // Reap whatever the leader left in its group before its number can be reused.
      if (this.#options.reapOnExit && this.#pid !== undefined) signalGroup(this.#pid, 'SIGKILL');
      this.#leaderExited = true;
      this.#resolveLeaderExit();
    });
    // After the exit and after stdout and stderr have ended: every line has been seen.
    child.on('close', (code, signal) => this.#onClosed(code, signal));
  }

  #onStdoutLine(line: string): void {
    if (this.#options.keepLines) this.lines.push(line);
    const index = this.#options.keepLines ? this.lines.length - 1 : -1;
    if (this.#options.stdoutLines) this.#runtime.record('os.stdout', this.#options.source, { pid: this.#pid, line });
    const ready = this.#options.ready;
    if (ready && this.#readiness === 'waiting') {
      let isReady = false;
      try {
        isReady = ready(line);
      } catch (error) {
        void this.failStart(
          this.startError('SPAWN_FAILED', `${this.label}: the ready predicate threw on the line ${JSON.stringify(line)}: ${formatValue(error)}`),
        );
      }
      if (isReady) {
        this.#readiness = 'ready';
        this.#cancelReadyTimer();
        this.#runtime.record('os.ready', this.#options.source, { pid: this.#pid, line });
        this.#resolveStarted();
      }
    }
    for (const listener of [...this.#lineListeners]) listener(line, index);
  }

  #onClosed(code: number | null, signal: NodeJS.Signals | null): void {
    this.#isClosed = true;
    this.#leaderExited = true;
    this.#resolveLeaderExit();
    this.#cancelReadyTimer();
    if (this.#pid === undefined) {
      const error = this.#spawnError;
      this.#groupGone = true;
      this.#runtime.record('os.spawn_failed', this.#options.source, { command: this.command, error: error?.code ?? error?.message ?? 'unknown' });
      this.#readiness = 'failed';
      this.#rejectStarted(
        this.startError('SPAWN_FAILED', `OS process ${JSON.stringify(this.command)} could not be started: ${error?.message ?? 'unknown error'}`, {
          errno: error?.code,
        }),
      );
    } else {
      this.#status = { code, signal };
      this.#runtime.record('os.exit', this.#options.source, { pid: this.#pid, code, signal });
      const state = groupState(this.#pid);
      if (state === 'gone') this.#groupGone = true;
      if (state !== 'alive') this.#unregister();
    }
    this.#resolveClosed(this.#status);
    this.#releaseExternal();
    if (this.#readiness === 'waiting') {
      const before = this.#options.readyDescription ? `before printing a line ${this.#options.readyDescription}` : 'before it was ready';
      void this.failStart(this.startError('SPAWN_FAILED', `${this.label} ${this.describeEnd()} ${before}`, { code, signal }));
    }
  }

  async #onReadyTimeout(): Promise<void> {
    this.#readyTimer = undefined;
    if (this.#readiness !== 'waiting' || this.#pid === undefined) return;
    const timeout = this.#options.readyTimeout;
    this.#runtime.record('os.ready_timeout', this.#options.source, { pid: this.#pid, timeout });
    await this.failStart(
      this.startError(
        'READY_TIMEOUT',
        `${this.label} printed no line ${this.#options.readyDescription ?? ''} within ${timeout} ms (readyTimeout); its process group was killed`,
        { readyTimeout: timeout },
      ),
    );
  }

  #cancelReadyTimer(): void {
    if (this.#readyTimer) this.#runtime.clearTimer(this.#readyTimer);
    this.#readyTimer = undefined;
  }

  async #terminate(graceful: boolean, killTimeout: number, by: SignalledBy): Promise<void> {
    const pgid = this.#pid;
    if (pgid === undefined) return;
    if (graceful && !this.#leaderExited) {
      this.signal('SIGTERM', by);
      await withinReal(this.#leaderExit, killTimeout);
    }
    // SIGKILL whatever is left: the program if it ignored SIGTERM, and members that outlived it.
    if (!this.#groupGone && groupState(pgid) === 'alive') this.signal('SIGKILL', by);
    if (
      (await withinReal(
        this.closed.then(() => true),
        CLOSE_BOUND,
      )) === undefined
    ) {
      // Something outside the group holds the output open; stop reading so nothing keeps this process busy.
      this.#child?.stdout?.destroy();
      this.#child?.stderr?.destroy();
    }
    this.#child?.stdin?.destroy();
    if (this.#groupGone) return;
    const source = this.#options.source;
    const state = await awaitGroupGone(pgid, GONE_BOUND, (attempt, now) => this.#runtime.record('probe.group', source, { pgid, attempt, state: now }));
    if (state !== 'alive') {
      this.#groupGone = true;
      this.#unregister();
    }
  }

  /** No live member is left: the reaper must forget the group (its number may be reused by an unrelated group). */
  #unregister(): void {
    if (this.#unregistered || this.#pid === undefined) return;
    this.#unregistered = true;
    this.#runtime.reaper?.unregister(this.#pid);
  }
}
