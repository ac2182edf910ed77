import { QuiesceError } from '../errors.js';
import { checkObject } from '../checks/options.js';
import { isPromise, type MaybePromise } from '../kernel/maybe-promise.js';
import type { ExitReason } from '../process/exit-reason.js';
import { Pid } from '../process/pid.js';
import type { ProcessContext, Runtime } from '../process/runtime.js';
import { startServerOutcome } from '../server/server.js';
import type { NormalisedChildSpec, Shutdown, StartContext, StartReturn } from './spec.js';

/** The context a start function gets: whatever it spawns is linked to the supervisor and labelled with its path. */
export function childStartContext(runtime: Runtime, parent: Pid, id: string, path: string): StartContext {
  return {
    runtime,
    parent,
    id,
    path,
    spawn: (handler, options = {}) => {
      checkObject('spawn options', options);
      return runtime.spawn(handler, { label: path, ...options, link: parent });
    },
    startServer: async (behaviour, args, options = {}) => {
      checkObject('startServer options', options);
      const outcome = await startServerOutcome(runtime, behaviour, args, { label: path, ...options, link: parent });
      if ('ok' in outcome) return outcome.ok;
      if ('ignore' in outcome) return 'ignore';
      return { error: outcome.error };
    },
    external: (promise) => runtime.external(promise),
  };
}

/**
 * OTP's shutdown/2 for one child: unlink, monitor, send `shutdown` (or `kill` for brutal_kill),
 * wait for the exit; after `shutdown` ms without one, kill. Resolves with the observed reason.
 */
export function terminateChild(runtime: Runtime, ctx: ProcessContext, pid: Pid, shutdown: Shutdown): Promise<ExitReason> {
  // A promise chain, not an async function (a supervisor that escalates terminates every child);
  // like one, it rejects rather than throws.
  try {
    runtime.unlink(ctx.self, pid);
    let timer: ReturnType<Runtime['setTimer']> | undefined;
    // The shutdown timer goes as the exit arrives (a timer of the supervisor's own also goes if it dies meanwhile).
    const down = new Promise<ExitReason>((resolve) => {
      runtime.watch(pid, (reason) => {
        if (timer) runtime.clearTimer(timer);
        resolve(reason);
      });
    });
    // A child that has already exited gets no exit signal (a dead process ignores it) and no
    // shutdown timer (it would only be cleared): its recorded reason is all there is to wait for.
    if (runtime.isAlive(pid)) {
      if (shutdown === 'brutal_kill') runtime.exit(pid, 'kill', ctx.self);
      else {
        runtime.exit(pid, 'shutdown', ctx.self);
        if (shutdown !== 'infinity') timer = runtime.setTimer(shutdown, () => runtime.exit(pid, 'kill', ctx.self), ctx.self);
      }
    }
    return ctx.await(down);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** What starting a child came to: its pid, undefined for `ignore`, or the error. */
export type ChildStartOutcome = { ok: Pid | undefined } | { error: unknown };

/**
 * OTP's do_start_child: run the start function inside the supervisor, link what it returns, and
 * never throw. A start function that returns a plain value (a pid from `ctx.spawn`) is done at
 * once, as in OTP, where start_child runs to its end inside the supervisor; one that returns a
 * promise is waited on without holding the system busy.
 */
export function startChildProcess(runtime: Runtime, ctx: ProcessContext, spec: NormalisedChildSpec, path: string): MaybePromise<ChildStartOutcome> {
  let result: MaybePromise<StartReturn>;
  try {
    result = spec.start(childStartContext(runtime, ctx.self, spec.id, path));
  } catch (error) {
    return { error };
  }
  if (!isPromise(result)) return startReturned(runtime, ctx, spec, result);
  return ctx.await(result).then(
    (returned) => startReturned(runtime, ctx, spec, returned),
    (error: unknown) => ({ error }),
  );
}

function startReturned(runtime: Runtime, ctx: ProcessContext, spec: NormalisedChildSpec, result: StartReturn): ChildStartOutcome {
  if (result === 'ignore') return { ok: undefined };
  if (result instanceof Pid) {
    runtime.link(ctx.self, result);
    return { ok: result };
  }
  if (typeof result === 'object' && result !== null && 'error' in result) return { error: result.error };
  return { error: new QuiesceError('START_FAILED', `start function of ${spec.id} returned ${JSON.stringify(result)}; expected a Pid, 'ignore' or { error }`) };
}

/** Ask a supervisor to stop as its parent would (`$stop` through its mailbox) and wait until it has exited. */
export async function stopSupervisorProcess(runtime: Runtime, pid: Pid, reason: ExitReason): Promise<void> {
  if (!runtime.isAlive(pid)) return;
  const exited = new Promise<void>((resolve) => runtime.watch(pid, () => resolve()));
  runtime.send(pid, { $stop: reason });
  await exited;
}
