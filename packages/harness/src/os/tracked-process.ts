import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { formatTimeline, InvalidOptionError, QuiesceError, LineSplitter } from '@quiesce/runtime';
import { realTimer, withinReal } from '../probes/real-timer.js';
import type { OwnedResource } from '../system/resources.js';
import type { WaitOptions } from '../waits/driver.js';
import { runExternalWait, type EndedError } from './external-wait.js';
import { parseExternalWait, parseLinePattern, parseSignal, type ParsedSpawn } from './options.js';
import { awaitGroupGone, groupState, signalGroup } from './process-group.js';
import type { ProcessGroupReaper } from './reaper.js';
import { eitherSignal, type SystemLike } from './system-like.js';

/** How an OS process ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of `TrackedProcess.awaitLine`. */
export interface AwaitLineOptions extends Omit<WaitOptions, 'realTimeout'> {
  /**
   * Which stdout lines count: 'start' (default: every line since the process started, so a line
   * printed together with the ready line is never missed), 'now' (only lines after the call), or
   * a line index into `lines`.
   */
  since?: 'start' | 'now' | number;
}

/** Real milliseconds to wait for the output to close once the group has been sent SIGKILL. */
const CLOSE_BOUND = 2_000;
/** Real milliseconds to wait for the last member of a killed group to be reaped. */
const GONE_BOUND = 5_000;
/** How much of stderr to keep for the messages of failed starts. */
const STDERR_TAIL = 2_000;

interface LineWaiter {
  readonly from: number;
  readonly test: (line: string) => boolean;
  resolve(line: string): void;
  reject(error: unknown): void;
  /** Builds the error for a process that ends without printing the line. */
  ended: EndedError;
}

/**
 * An OS process started by `system.spawn`, and its whole process group: spawned with an argv
 * array (never a shell) as the leader of a new group, owned by the TestSystem (external while it
 * runs, so waits wait for it in real time), registered with this worker's reaper, and killed —
 * SIGTERM to the group, SIGKILL after `killTimeout` — at teardown.
 *
 * History (source: the label, default `os:<basename of command>`): `os.spawn` { command, args,
 * pid }, `os.ready` { pid, line }, `os.stdout` / `os.stderr` { pid, line } with `lines: true`,
 * `os.kill` { pid, signal, by }, `os.exit` { pid, code, signal } once it has exited and its
 * output is closed, `os.spawn_failed` { command, error }, `os.ready_timeout` { pid, timeout },
 * and `probe.group` { pgid, attempt, state } while teardown waits for the last member to be reaped.
 */
export class TrackedProcess implements OwnedResource {
  readonly kind = 'os-process';
  /** What it is, for leak reports and error messages: `node server.mjs (pid 4242)`. */
  readonly label: string;
  /** The source of its history events. */
  readonly source: string;
  readonly command: string;
  readonly args: readonly string[];

  readonly #system: SystemLike;
  readonly #options: ParsedSpawn;
  readonly #reaper: ProcessGroupReaper;
  readonly #testSignal: AbortSignal | undefined;
  readonly #child: ChildProcess | undefined;
  readonly #pid: number | undefined;
  readonly #lines: string[] = [];
  readonly #lineWaiters = new Set<LineWaiter>();
  readonly #exitWaiters = new Set<(status: ExitStatus) => void>();
  readonly #leaderExit: Promise<void>;
  readonly #closed: Promise<void>;
  readonly #started: Promise<void>;
  #resolveLeaderExit = (): void => undefined;
  #resolveClosed = (): void => undefined;
  #resolveStarted = (): void => undefined;
  #rejectStarted: (error: unknown) => void = () => undefined;
  #stderrTail = '';
  #spawnError: (Error & { code?: string }) | undefined;
  #leaderExited = false;
  #isClosed = false;
  #status: ExitStatus | undefined;
  #readiness: 'waiting' | 'ready' | 'failed' = 'waiting';
  #cancelReadyTimer = (): void => undefined;
  #terminating: Promise<void> | undefined;
  #groupGone = false;

  /** @internal use `system.spawn`. */
  constructor(system: SystemLike, options: ParsedSpawn, reaper: ProcessGroupReaper, testSignal?: AbortSignal) {
    this.#system = system;
    this.#options = options;
    this.#reaper = reaper;
    this.#testSignal = testSignal;
    this.command = options.command;
    this.args = options.args;
    this.source = options.label ?? `os:${basename(options.command)}`;
    this.#leaderExit = new Promise((resolve) => (this.#resolveLeaderExit = resolve));
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#started = new Promise((resolve, reject) => {
      this.#resolveStarted = resolve;
      this.#rejectStarted = reject;
    });
    this.#started.catch(() => undefined);

    let child: ChildProcess | undefined;
    try {
      child = spawnChild(options.command, [...options.args], {
        // A new process group led by the child: the group is what teardown and the reaper kill.
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
    // The program's name and its arguments; a long line keeps its end (the arguments), not its start.
    const line = [basename(options.command), ...options.args].join(' ');
    this.label = `${line.length > 120 ? `…${line.slice(-119)}` : line}${this.#pid !== undefined ? ` (pid ${this.#pid})` : ''}`;
    // Register at once: if this process dies from here on, the reaper kills the group.
    if (this.#pid !== undefined) this.#reaper.register(this.#pid);
    if (child) this.#watch(child);
    else queueMicrotask(() => this.#onClosed(null, null));
    if (options.ready) this.#cancelReadyTimer = realTimer(options.readyTimeout, () => void this.#onReadyTimeout());
  }

  /** The OS pid of the program, which is also its process group id. */
  get pid(): number {
    return this.#pid ?? -1;
  }

  /** Every stdout line so far, oldest first. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Its stdin, with `stdin: 'pipe'`; null otherwise. */
  get stdin(): Writable | null {
    return this.#child?.stdin ?? null;
  }

  /** How it ended, once it has exited and its output is closed. */
  get exitStatus(): ExitStatus | undefined {
    return this.#status;
  }

  /** @internal resolves when ready (or running, without `ready`); rejects SPAWN_FAILED / READY_TIMEOUT once the group is gone. */
  get started(): Promise<void> {
    return this.#started;
  }

  /** A description of what `spawn` waits for, for the driver's messages. */
  get readyDescription(): string {
    return this.#options.readyDescription ? `a stdout line ${this.#options.readyDescription} from ${this.label}` : `${this.label} to start`;
  }

  /**
   * Wait for a stdout line that matches `pattern` (a RegExp or a predicate); resolves with the
   * line. By default lines printed before the call count (see `since`). Fails at once, naming the
   * exit, if the process has exited without printing such a line.
   */
  awaitLine(pattern: RegExp | ((line: string) => boolean), options: AwaitLineOptions = {}): Promise<string> {
    const { test, description } = parseLinePattern('awaitLine(pattern)', pattern);
    const wait = parseExternalWait('awaitLine', options, ['since']);
    const since = options.since ?? 'start';
    if (!(since === 'start' || since === 'now' || (Number.isInteger(since) && (since as number) >= 0))) {
      throw new InvalidOptionError('awaitLine options.since', since, "'start', 'now' or a line index (integer >= 0)");
    }
    const from = since === 'start' ? 0 : since === 'now' ? this.#lines.length : (since as number);
    const what = `a stdout line ${description} from ${this.label}`;
    return runExternalWait(
      { what, timeout: options.timeout ?? this.#system.defaultTimeout, signal: eitherSignal(wait.signal, this.#testSignal), system: this.#system, holdClock: false },
      (stop, ended) =>
        new Promise<string>((resolve, reject) => {
          for (let i = from; i < this.#lines.length; i++) {
            const line = this.#lines[i]!;
            if (test(line)) return resolve(line);
          }
          if (this.#isClosed) return reject(ended(`${this.label} ${this.#describeEnd()} without printing it`));
          this.#assertLive(`awaitLine ${description}`);
          const waiter: LineWaiter = { from, test, resolve, reject, ended };
          this.#lineWaiters.add(waiter);
          stop.addEventListener('abort', () => {
            this.#lineWaiters.delete(waiter);
            reject(stop.reason);
          });
        }),
    );
  }

  /** Wait until the process has exited and its output is closed; resolves with its code or signal. */
  awaitExit(options: WaitOptions = {}): Promise<ExitStatus> {
    const wait = parseExternalWait('awaitExit', options);
    return runExternalWait(
      { what: `${this.label} to exit`, timeout: options.timeout ?? this.#system.defaultTimeout, signal: eitherSignal(wait.signal, this.#testSignal), system: this.#system, holdClock: false },
      (stop) =>
        new Promise<ExitStatus>((resolve, reject) => {
          if (this.#status) return resolve(this.#status);
          this.#assertLive('awaitExit');
          this.#exitWaiters.add(resolve);
          stop.addEventListener('abort', () => {
            this.#exitWaiters.delete(resolve);
            reject(stop.reason);
          });
        }),
    );
  }

  /**
   * Send `signal` (default SIGTERM) to the whole process group. Does nothing once the group is
   * gone. Recorded as `os.kill`.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    const sig = parseSignal('kill(signal)', signal);
    this.#signal(sig, 'test');
  }

  // ------------------------------------------------------------------ OwnedResource

  /**
   * Teardown: SIGTERM to the group, SIGKILL after `killTimeout` real ms if the program is still
   * running, SIGKILL to whatever is left of the group, then wait (bounded) until every member is
   * gone. Idempotent.
   */
  dispose(): Promise<void> {
    return this.#terminate(true);
  }

  /** Whether any live member of its process group remains. */
  alive(): boolean {
    if (this.#pid === undefined || this.#groupGone) return false;
    if (!this.#leaderExited) return true;
    return groupState(this.#pid) === 'alive';
  }

  /** True while the program runs or its output is still open: it may still produce events. */
  external(): boolean {
    return this.#pid !== undefined && !this.#isClosed;
  }

  // ------------------------------------------------------------------ internals

  #watch(child: ChildProcess): void {
    const stdout = new LineSplitter((line) => this.#onStdoutLine(line));
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stdout!.on('end', () => stdout.end());
    const stderr = new LineSplitter((line) => {
      if (this.#options.lines) this.#system.record('os.stderr', this.source, { pid: this.#pid, line });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
      stderr.push(chunk);
    });
    child.stderr!.on('end', () => stderr.end());
    // Writing to a program that has exited fails with EPIPE; that is the program's exit, seen below.
    child.stdin?.on('error', () => undefined);
    child.on('spawn', () => {
      this.#system.record('os.spawn', this.source, { command: this.command, args: [...this.args], pid: this.#pid });
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
      this.#leaderExited = true;
      this.#resolveLeaderExit();
    });
    // After the exit and after stdout and stderr have ended: every line has been seen.
    child.on('close', (code, signal) => this.#onClosed(code, signal));
  }

  #onStdoutLine(line: string): void {
    this.#lines.push(line);
    const index = this.#lines.length - 1;
    if (this.#options.lines) this.#system.record('os.stdout', this.source, { pid: this.#pid, line });
    const ready = this.#options.ready;
    if (ready && this.#readiness === 'waiting') {
      let isReady = false;
      try {
        isReady = ready(line);
      } catch (error) {
        void this.#failStart(new QuiesceError('SPAWN_FAILED', `${this.label}: the ready predicate threw on the line ${JSON.stringify(line)}: ${(error as Error)?.message ?? String(error)}`, { command: this.command }));
      }
      if (isReady) {
        this.#readiness = 'ready';
        this.#cancelReadyTimer();
        this.#system.record('os.ready', this.source, { pid: this.#pid, line });
        this.#resolveStarted();
      }
    }
    for (const waiter of [...this.#lineWaiters]) {
      if (index < waiter.from) continue;
      let matched = false;
      try {
        matched = waiter.test(line);
      } catch (error) {
        this.#lineWaiters.delete(waiter);
        waiter.reject(new QuiesceError('INVALID_OPTION', `awaitLine: the line predicate threw on ${JSON.stringify(line)}: ${(error as Error)?.message ?? String(error)}`));
        continue;
      }
      if (matched) {
        this.#lineWaiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  }

  #onClosed(code: number | null, signal: NodeJS.Signals | null): void {
    this.#isClosed = true;
    this.#leaderExited = true;
    this.#resolveLeaderExit();
    this.#cancelReadyTimer();
    if (this.#pid === undefined) {
      const error = this.#spawnError;
      this.#groupGone = true;
      this.#system.record('os.spawn_failed', this.source, { command: this.command, error: error?.code ?? error?.message ?? 'unknown' });
      this.#readiness = 'failed';
      this.#rejectStarted(
        this.#startError('SPAWN_FAILED', `${JSON.stringify(this.command)} could not be started: ${error?.message ?? 'unknown error'}`, { errno: error?.code }),
      );
    } else {
      this.#status = { code, signal };
      this.#system.record('os.exit', this.source, { pid: this.#pid, code, signal });
    }
    this.#resolveClosed();
    const status = this.#status;
    if (status) for (const resolve of [...this.#exitWaiters]) resolve(status);
    this.#exitWaiters.clear();
    for (const waiter of [...this.#lineWaiters]) waiter.reject(waiter.ended(`${this.label} ${this.#describeEnd()} without printing it`));
    this.#lineWaiters.clear();
    if (this.#readiness === 'waiting') {
      void this.#failStart(this.#startError('SPAWN_FAILED', `${this.label} ${this.#describeEnd()} before printing a line ${this.#options.readyDescription}`, { code, signal }));
    }
  }

  async #onReadyTimeout(): Promise<void> {
    // Without a pid the program never started: its 'close' follows and fails the start with SPAWN_FAILED.
    if (this.#readiness !== 'waiting' || this.#pid === undefined) return;
    this.#system.record('os.ready_timeout', this.source, { pid: this.#pid, timeout: this.#options.readyTimeout });
    await this.#failStart(
      this.#startError(
        'READY_TIMEOUT',
        `${this.label} printed no line ${this.#options.readyDescription} within ${this.#options.readyTimeout} ms (readyTimeout, real time); its process group was killed`,
        { readyTimeout: this.#options.readyTimeout },
      ),
    );
  }

  /** Fail the start: kill the group, wait until it is gone, then reject. */
  async #failStart(error: QuiesceError): Promise<void> {
    if (this.#readiness !== 'waiting') return;
    this.#readiness = 'failed';
    this.#cancelReadyTimer();
    await this.#terminate(false);
    this.#rejectStarted(error);
  }

  #terminate(graceful: boolean): Promise<void> {
    this.#terminating ??= this.#kill(graceful);
    return this.#terminating;
  }

  async #kill(graceful: boolean): Promise<void> {
    const pgid = this.#pid;
    if (pgid === undefined) return;
    if (graceful && !this.#leaderExited) {
      this.#signal('SIGTERM', 'teardown');
      await withinReal(this.#leaderExit, this.#options.killTimeout);
    }
    // SIGKILL whatever is left: the program if it ignored SIGTERM, and members that outlived it.
    if (groupState(pgid) === 'alive') this.#signal('SIGKILL', 'teardown');
    if ((await withinReal(this.#closed.then(() => true), CLOSE_BOUND)) === undefined) {
      // Something outside the group holds the output open; stop reading so nothing keeps this process busy.
      this.#child?.stdout?.destroy();
      this.#child?.stderr?.destroy();
    }
    this.#child?.stdin?.destroy();
    const state = await awaitGroupGone(pgid, GONE_BOUND, (attempt, now) => this.#system.record('probe.group', this.source, { pgid, attempt, state: now }));
    if (state !== 'alive') {
      this.#groupGone = true;
      this.#reaper.unregister(pgid);
    }
  }

  #signal(signal: NodeJS.Signals | number, by: 'test' | 'teardown'): void {
    const pgid = this.#pid;
    if (pgid === undefined || this.#groupGone) return;
    // After the leader has exited, its number may only be reused once no member of the group is left.
    if (this.#leaderExited && groupState(pgid) === 'gone') return;
    if (signalGroup(pgid, signal)) this.#system.record('os.kill', this.source, { pid: pgid, signal, by });
  }

  #describeEnd(): string {
    const status = this.#status;
    if (!status) return 'could not be started';
    return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
  }

  #startError(code: 'SPAWN_FAILED' | 'READY_TIMEOUT', message: string, details: Record<string, unknown>): QuiesceError {
    const stderr = this.#stderrTail.trim();
    const history = this.#system.history;
    return new QuiesceError(
      code,
      message +
        (stderr ? `\n\nstderr (last ${STDERR_TAIL} characters):\n${stderr}` : '') +
        `\n\nlast ${Math.min(15, history.length)} events:\n${formatTimeline(history.tail(15)) || '  (no events)'}`,
      { command: this.command, args: [...this.args], pid: this.#pid, ...details },
    );
  }

  #assertLive(operation: string): void {
    if (this.#system.tornDown) {
      throw new QuiesceError('AFTER_TEARDOWN', `${this.label}: ${operation}: the test's system has been torn down; activity after teardown is rejected`, { operation });
    }
  }
}
