import { QuiesceError, formatValue } from '../errors.js';
import type { TimerHandle } from '../kernel/clock.js';
import { isExitMessage, isNormalExit, type ExitReason } from '../process/exit-reason.js';
import type { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';

/**
 * A proxy is the runtime process that stands for something outside the runtime (an OS process
 * group, a worker thread): it is what a supervisor links to, stops and restarts. This module
 * holds what both kinds share: the start (readiness, readyTimeout, failure), the mapping of exit
 * signals onto stop/kill of the external thing, and the proxy's exit when the thing is gone.
 */

/** What the proxy needs from the thing it stands for. */
export interface ExternalHandle {
  /** Ask it to stop (SIGTERM to the group, a shutdown message); it reports `gone` when it has. */
  stop(): void;
  /** Make sure it dies now. Called at any time, more than once, also after it is gone. */
  kill(): void;
  /** A message sent to the proxy by a runtime process. */
  deliver(message: unknown): void;
  /** What it waited for and what it saw instead, for a READY_TIMEOUT that says how to fix it. */
  notReady?(): string;
}

/** How the external thing reports back to its proxy. */
export interface ProxyEvents {
  /** Its ready condition was met. False when the start no longer waits for it (timed out, failed). */
  ready(): boolean;
  /**
   * Run a user's ready check on some output and, if it holds, do as `ready`. A check that throws
   * fails the start (it must not crash the host from an event callback).
   */
  tryReady(check: () => unknown): boolean;
  /**
   * It is gone for good. `reason` is its mapped exit reason; `failure` explains a start that never
   * happened (ENOENT); `output` is what it said on the way out (stderr), for error messages.
   */
  gone(reason: ExitReason, failure?: QuiesceError, output?: string): void;
}

export interface ProxyOptions {
  label: string;
  link?: Pid;
  readyTimeout?: number;
  /** The thing, for error messages: `OS process "node"`. */
  what: string;
  /** Start the external thing. Throwing fails the start. */
  launch(events: ProxyEvents, self: Pid): ExternalHandle;
}

/** Posted to the proxy when the thing it stands for is gone (after the start). */
class Gone {
  constructor(readonly reason: ExitReason) {}
}

type Phase = 'starting' | 'failing' | 'running' | 'gone';

/**
 * Spawn the proxy, launch the thing and resolve with the proxy's pid once it is ready. A failed
 * start rejects only after the thing is gone, and leaves neither a live proxy nor a link behind.
 * The whole start is an external operation: a virtual clock does not advance while it runs.
 */
export function startProxy(runtime: Runtime, options: ProxyOptions): Promise<Pid> {
  const { what, link, readyTimeout } = options;
  let phase: Phase = 'starting';
  let handle: ExternalHandle | undefined;
  let stopping: ExitReason | undefined;
  let failure: QuiesceError | undefined;
  let timer: TimerHandle | undefined;
  let markGone!: () => void;
  const gone = new Promise<void>((resolve) => (markGone = resolve));
  let resolveStart!: (pid: Pid) => void;
  let rejectStart!: (error: QuiesceError) => void;
  const started = new Promise<Pid>((resolve, reject) => {
    resolveStart = resolve;
    rejectStart = reject;
  });

  // Trapping exits lets the proxy turn `shutdown` into a graceful stop of the thing. It otherwise
  // behaves like a process that does not trap: `normal` is ignored, any other reason is fatal.
  const self = runtime.spawn(
    (message, ctx) => {
      if (message instanceof Gone) {
        ctx.exit(stopping ?? message.reason);
      } else if (isExitMessage(message)) {
        if (message.reason === 'normal') return;
        if (isNormalExit(message.reason)) {
          if (stopping !== undefined) return;
          stopping = message.reason;
          // Waiting for the thing to go is waiting on the OS: keep a virtual clock still meanwhile.
          void runtime.external(gone);
          handle?.stop();
          return;
        }
        handle?.kill();
        ctx.exit(message.reason);
      } else {
        handle?.deliver(message);
      }
    },
    { trapExit: true, label: options.label },
  );
  // `kill` cannot be trapped: the proxy dies at once, so its death is what must kill the thing.
  runtime.watch(self, () => handle?.kill());

  const fail = (error: QuiesceError): void => {
    phase = 'failing';
    failure = error;
    if (timer) runtime.clearTimer(timer);
    handle?.kill();
  };

  const events: ProxyEvents = {
    ready() {
      if (phase !== 'starting') return false;
      if (!runtime.isAlive(self)) {
        fail(proxyExited(runtime, self, what));
        return false;
      }
      phase = 'running';
      if (timer) runtime.clearTimer(timer);
      if (link) runtime.link(self, link);
      resolveStart(self);
      return true;
    },
    tryReady(check) {
      if (phase !== 'starting') return false;
      let matched: unknown;
      try {
        matched = check();
      } catch (error) {
        fail(new QuiesceError('START_FAILED', `${what}: its ready check threw ${formatValue(error)}`, { cause: error }));
        return false;
      }
      return Boolean(matched) && events.ready();
    },
    gone(reason, why, output) {
      if (phase === 'gone') return;
      const was = phase;
      phase = 'gone';
      markGone();
      if (timer) runtime.clearTimer(timer);
      if (was === 'running') {
        runtime.send(self, new Gone(reason));
        return;
      }
      const error = failure ?? why ?? (runtime.isAlive(self) ? exitedBeforeReady(what, reason, output) : proxyExited(runtime, self, what));
      runtime.exitSelf(self, error);
      rejectStart(error);
    },
  };

  try {
    handle = options.launch(events, self);
  } catch (error) {
    const failed =
      error instanceof QuiesceError ? error : new QuiesceError('SPAWN_FAILED', `${what} could not be started: ${formatValue(error)}`, { cause: error });
    runtime.exitSelf(self, failed);
    return Promise.reject(failed);
  }
  if (phase === 'starting' && readyTimeout !== undefined) {
    timer = runtime.setTimer(
      readyTimeout,
      () => {
        const seen = handle?.notReady?.();
        fail(
          new QuiesceError('READY_TIMEOUT', `${what} was not ready within ${readyTimeout} ms (readyTimeout)${seen ? `: ${seen}` : ''}; it was stopped`, {
            readyTimeout,
          }),
        );
      },
      self,
    );
  }
  return runtime.external(started);
}

function exitedBeforeReady(what: string, reason: ExitReason, output: string | undefined): QuiesceError {
  const said = output ? `; its last output was: ${output.trim()}` : '';
  return new QuiesceError('SPAWN_FAILED', `${what} exited with ${formatValue(reason)} before it was ready${said}`, { reason, ...(output ? { output } : {}) });
}

function proxyExited(runtime: Runtime, self: Pid, what: string): QuiesceError {
  const reason = runtime.exitReason(self);
  return new QuiesceError('START_FAILED', `${what}: its process ${self} exited with ${formatValue(reason)} before it was ready`, { reason });
}
