import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { InvalidOptionError, OsProcessGroup, QuiesceError, type ExitStatus } from '@quiesce/runtime';
import type { OwnedResource } from '../core/resources.js';
import type { WaitOptions } from '../waits/driver.js';
import { parseExternalWait, runExternalWait } from '../waits/external-wait.js';
import { parseLinePattern, parseSignal, type ParsedSpawn } from './options.js';
import { eitherSignal, type SystemHost } from '../core/host.js';

export type { ExitStatus };

/** Options of `TrackedProcess.awaitLine`. */
export interface AwaitLineOptions extends Omit<WaitOptions, 'realTimeout'> {
  /**
   * Which stdout lines count: 'start' (default: every line since the process started, so a line
   * printed together with the ready line is never missed), 'now' (only lines after the call), or
   * a line index into `lines`.
   */
  since?: 'start' | 'now' | number;
}

/**
 * An OS process started by `system.spawn`, and its whole process group: the harness's face of
 * the runtime's one OS-process implementation (`OsProcessGroup`, shared with supervised
 * `osProcess` children). Owned by the TestSystem, registered with this worker's reaper, a live
 * external actor while it runs (waits wait for it; virtual time flows with real time), and
 * killed at teardown — SIGTERM to the group, SIGKILL after `killTimeout` real milliseconds.
 *
 * History (source: the label, default `os:<basename of command>`): see OsProcessGroup.
 */
export class TrackedProcess implements OwnedResource {
  readonly kind = 'os-process';
  /** What it is, for leak reports and error messages: `node server.mjs (pid 4242)`. */
  readonly label: string;
  /** The source of its history events. */
  readonly source: string;
  readonly command: string;
  readonly args: readonly string[];

  readonly #system: SystemHost;
  readonly #options: ParsedSpawn;
  readonly #testSignal: AbortSignal | undefined;
  readonly #group: OsProcessGroup;

  /** @internal use `system.spawn`. */
  constructor(system: SystemHost, options: ParsedSpawn, testSignal?: AbortSignal) {
    this.#system = system;
    this.#options = options;
    this.#testSignal = testSignal;
    this.command = options.command;
    this.args = options.args;
    this.source = options.label ?? `os:${basename(options.command)}`;
    this.#group = new OsProcessGroup(system.runtime, {
      command: options.command,
      args: options.args,
      cwd: options.cwd,
      env: options.env,
      stdin: options.stdin,
      source: this.source,
      ready: options.ready,
      readyDescription: options.readyDescription,
      readyTimeout: options.ready ? options.readyTimeout : undefined,
      stdoutLines: options.lines,
      stderrLines: options.lines,
      keepLines: true,
      // A program may leave a daemon in its group on purpose; teardown kills the group, not its exit.
      reapOnExit: false,
    });
    this.label = this.#group.label;
  }

  /** The OS pid of the program, which is also its process group id. */
  /** The runtime external actor it holds while alive: teardown ends it by disposing of it. */
  get actor(): string {
    return this.#group.actor;
  }

  get pid(): number {
    return this.#group.pid ?? -1;
  }

  /** Every stdout line so far, oldest first. */
  get lines(): readonly string[] {
    return this.#group.lines;
  }

  /** Its stdin, with `stdin: 'pipe'`; null otherwise. */
  get stdin(): Writable | null {
    return this.#group.stdin;
  }

  /** How it ended, once it has exited and its output is closed. */
  get exitStatus(): ExitStatus | undefined {
    return this.#group.exitStatus;
  }

  /** @internal resolves when ready (or running, without `ready`); rejects SPAWN_FAILED / READY_TIMEOUT once the group is gone. */
  get started(): Promise<void> {
    return this.#group.started;
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
    const group = this.#group;
    const from = since === 'start' ? 0 : since === 'now' ? group.lines.length : (since as number);
    const what = `a stdout line ${description} from ${this.label}`;
    return runExternalWait(
      {
        what,
        timeout: options.timeout ?? this.#system.defaultTimeout,
        signal: eitherSignal(wait.signal, this.#testSignal),
        system: this.#system,
        holdClock: false,
      },
      (stop, ended) =>
        new Promise<string>((resolve, reject) => {
          for (let i = from; i < group.lines.length; i++) {
            const line = group.lines[i]!;
            if (test(line)) return resolve(line);
          }
          if (group.isClosed) return reject(ended(`${this.label} ${group.describeEnd()} without printing it`));
          this.#assertLive(`awaitLine ${description}`);
          const off = group.onLine((line, index) => {
            if (index < from) return;
            let matched = false;
            try {
              matched = test(line);
            } catch (error) {
              finish();
              reject(
                new QuiesceError(
                  'INVALID_OPTION',
                  `awaitLine: the line predicate threw on ${JSON.stringify(line)}: ${(error as Error)?.message ?? String(error)}`,
                ),
              );
              return;
            }
            if (matched) {
              finish();
              resolve(line);
            }
          });
          void group.closed.then(() => {
            finish();
            reject(ended(`${this.label} ${group.describeEnd()} without printing it`));
          });
          const onStop = (): void => {
            finish();
            reject(stop.reason);
          };
          stop.addEventListener('abort', onStop, { once: true });
          function finish(): void {
            off();
            stop.removeEventListener('abort', onStop);
          }
        }),
    );
  }

  /** Wait until the process has exited and its output is closed; resolves with its code or signal. */
  awaitExit(options: WaitOptions = {}): Promise<ExitStatus> {
    const wait = parseExternalWait('awaitExit', options);
    const group = this.#group;
    return runExternalWait(
      {
        what: `${this.label} to exit`,
        timeout: options.timeout ?? this.#system.defaultTimeout,
        signal: eitherSignal(wait.signal, this.#testSignal),
        system: this.#system,
        holdClock: false,
      },
      (stop) =>
        new Promise<ExitStatus>((resolve, reject) => {
          if (group.exitStatus) return resolve(group.exitStatus);
          this.#assertLive('awaitExit');
          const onStop = (): void => reject(stop.reason);
          stop.addEventListener('abort', onStop, { once: true });
          void group.closed.then((status) => {
            stop.removeEventListener('abort', onStop);
            if (status) resolve(status);
            else reject(new QuiesceError('SPAWN_FAILED', `${this.label} could not be started`));
          });
        }),
    );
  }

  /**
   * Send `signal` (default SIGTERM) to the whole process group; returns whether it was sent.
   * Does nothing once the group is gone. Recorded as `os.kill`, by the test (or by `'chaos'`, which @quiesce/chaos passes).
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM', by: 'test' | 'chaos' = 'test'): boolean {
    const sig = parseSignal('kill(signal)', signal);
    if (by !== 'test' && by !== 'chaos') throw new InvalidOptionError('kill(by)', by, "'test' or 'chaos'");
    return this.#group.signal(sig, by);
  }

  // ------------------------------------------------------------------ OwnedResource

  /**
   * Teardown: SIGTERM to the group, SIGKILL after `killTimeout` real ms if the program is still
   * running, SIGKILL to whatever is left of the group, then wait (bounded) until every member is
   * gone. Idempotent.
   */
  dispose(): Promise<void> {
    return this.#group.terminate(true, this.#options.killTimeout, 'teardown');
  }

  /** Whether any live member of its process group remains. */
  alive(): boolean {
    return this.#group.alive();
  }

  /** True while the program runs or its output is still open: it may still produce events. */
  external(): boolean {
    return this.#group.pid !== undefined && !this.#group.isClosed;
  }

  #assertLive(operation: string): void {
    if (this.#system.tornDown) {
      throw new QuiesceError('AFTER_TEARDOWN', `${this.label}: ${operation}: the test's system has been torn down; activity after teardown is rejected`, {
        operation,
      });
    }
  }
}
