import { describeValue, InvalidOptionError, QuiesceError } from '../errors.js';
import { checkMilliseconds, checkOptions } from '../checks/options.js';
import { andThen, isPromise, type MaybePromise } from '../kernel/maybe-promise.js';
import { isExitMessage, type ExitReason } from '../process/exit-reason.js';
import type { Pid } from '../process/pid.js';
import { isCallEnvelope, isCastEnvelope, type From } from '../process/protocol.js';
import type { ProcessContext, Runtime, SpawnOptions } from '../process/runtime.js';

/** What `init` returns: a state, `ignore` (no process), or stop with a reason (start fails). */
export type InitResult<S> = { state: S } | { ignore: true } | { stop: ExitReason };

export type CallResult<S, R> = { reply: R; state: S } | { noreply: true; state: S } | { stop: ExitReason; state: S; reply?: R };

export type CastResult<S> = { state: S } | { stop: ExitReason; state: S };

/**
 * A GenServer-like behaviour. Callbacks run one message at a time in the server's process.
 * Every callback is optional except `init`; a missing handler crashes the server on that
 * kind of message, as in OTP.
 */
export interface ServerBehaviour<S, Args = void, Req = any, Rep = any, Cast = any> {
  init(args: Args, ctx: ProcessContext): MaybePromise<InitResult<S>>;
  handleCall?(request: Req, from: From, state: S, ctx: ProcessContext): MaybePromise<CallResult<S, Rep>>;
  handleCast?(message: Cast, state: S, ctx: ProcessContext): MaybePromise<CastResult<S>>;
  handleInfo?(message: unknown, state: S, ctx: ProcessContext): MaybePromise<CastResult<S>>;
  /** Runs when the server stops: a stop result, a crash in a callback, or a trapped exit from its parent (itself when unlinked). */
  terminate?(reason: ExitReason, state: S, ctx: ProcessContext): MaybePromise<void>;
}

export interface StartServerOptions {
  /** Link the server to this process (the parent: its exit signals stop the server via terminate when trapping). */
  link?: Pid;
  name?: string;
  label?: string;
  /** How long init may take, in clock milliseconds. Default 5000. */
  timeout?: number | 'infinity';
}

export type StartOutcome = { ok: Pid } | { ignore: true } | { error: unknown };

/**
 * Start a server and wait for its init (gen_server:start_link). Resolves `{ ok: pid }`,
 * `{ ignore: true }` or `{ error }` and never throws for a failing init.
 */
export async function startServerOutcome<S, Args>(
  runtime: Runtime,
  behaviour: ServerBehaviour<S, Args>,
  args: Args,
  options: StartServerOptions = {},
): Promise<StartOutcome> {
  validateBehaviour(behaviour);
  checkOptions('startServer options', options, ['link', 'name', 'label', 'timeout']);
  if (options.timeout !== undefined) checkMilliseconds('timeout', options.timeout, { allowInfinity: true });
  return startCheckedServer(runtime, behaviour, args, options);
}

/**
 * startServerOutcome for a behaviour and options already checked (a supervisor's own, the ones
 * a start context passes on). An init that returns a plain value has run to its end inside the
 * spawn, as gen_server's init runs before start_link returns: its outcome comes back as a value,
 * with no watch, timer or promise made for it. Only an init still running when the spawn
 * returns is waited for (watched for an early death, and bounded by `timeout`).
 * @internal
 */
export function startCheckedServer<S, Args>(
  runtime: Runtime,
  behaviour: ServerBehaviour<S, Args>,
  args: Args,
  options: StartServerOptions,
): MaybePromise<StartOutcome> {
  const parent = options.link;
  let outcome: StartOutcome | undefined;
  let settle = (o: StartOutcome): void => {
    outcome ??= o;
  };
  const spawnOptions: SpawnOptions = {};
  if (parent) spawnOptions.link = parent;
  if (options.name !== undefined) spawnOptions.name = options.name;
  if (options.label !== undefined) spawnOptions.label = options.label;
  const finish = (ctx: ProcessContext, result: InitResult<S>): void => {
    if (!isResult(result, INIT_RESULTS)) {
      fail(ctx, badReturn(runtime, ctx.self, 'init', result, INIT_ACCEPTED));
      return;
    }
    if ('ignore' in result) {
      settle({ ignore: true });
      ctx.exit('normal');
      return;
    }
    if ('stop' in result) {
      settle({ error: result.stop });
      ctx.exit(result.stop);
      return;
    }
    installServer(runtime, ctx, behaviour, result.state, parent);
    settle({ ok: ctx.self });
  };
  const fail = (ctx: ProcessContext, error: unknown): void => {
    settle({ error });
    ctx.exit(error as ExitReason);
  };
  spawnOptions.init = (ctx) => {
    let result: MaybePromise<InitResult<S>>;
    try {
      result = behaviour.init(args, ctx);
    } catch (error) {
      fail(ctx, error);
      return;
    }
    if (!isPromise(result)) {
      finish(ctx, result);
      return;
    }
    return result.then(
      (r) => finish(ctx, r),
      (error: unknown) => fail(ctx, error),
    );
  };
  const pid = runtime.spawn(() => undefined, spawnOptions);
  if (outcome !== undefined) return outcome;
  const started = new Promise<StartOutcome>((resolve) => {
    settle = (o) => {
      if (outcome !== undefined) return;
      outcome = o;
      resolve(o);
    };
  });
  // The init may fail before it runs (e.g. linked to a dead parent), or die while it waits.
  const unwatch = runtime.watch(pid, (reason) => settle({ error: reason }));
  const timeout = options.timeout ?? 5000;
  const timer =
    timeout === 'infinity'
      ? undefined
      : runtime.setTimer(timeout, () => {
          runtime.exit(pid, 'kill');
          settle({ error: new QuiesceError('TIMEOUT', `server init did not finish within ${timeout} ms`, { timeout }) });
        });
  return started.finally(() => {
    unwatch();
    if (timer) runtime.clearTimer(timer);
  });
}

/** Start a server; rejects with QuiesceError START_FAILED if init fails, stops or ignores. */
export async function startServer<S, Args>(runtime: Runtime, behaviour: ServerBehaviour<S, Args>, args: Args, options: StartServerOptions = {}): Promise<Pid> {
  const outcome = await startServerOutcome(runtime, behaviour, args, options);
  if ('ok' in outcome) return outcome.ok;
  if ('ignore' in outcome) throw new QuiesceError('START_FAILED', 'server init returned ignore', { ignore: true });
  throw new QuiesceError(
    'START_FAILED',
    `server init failed: ${String(outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error))}`,
    { reason: outcome.error },
  );
}

/**
 * The server's loop. Callbacks that return plain values run to the end within the delivery that
 * started them, as a gen_server runs a callback before it looks at its next signal; only a
 * callback that returns a promise lets other deliveries run meanwhile.
 */
function installServer<S>(runtime: Runtime, ctx: ProcessContext, behaviour: ServerBehaviour<S, any>, initial: S, parent: Pid | undefined): void {
  let state = initial;
  const self = ctx.self;

  const stop = (reason: ExitReason): MaybePromise<void> => {
    if (!behaviour.terminate) return ctx.exit(reason);
    let done: MaybePromise<void>;
    try {
      done = behaviour.terminate(reason, state, ctx);
    } catch (error) {
      return ctx.exit(error as ExitReason);
    }
    if (isPromise(done))
      return done.then(
        () => ctx.exit(reason),
        (error: unknown) => ctx.exit(error as ExitReason),
      );
    ctx.exit(reason);
  };

  /** A handleCast or handleInfo result; anything else crashes the server, as OTP's bad_return_value does. */
  const apply = (callback: 'handleCast' | 'handleInfo', result: CastResult<S>): MaybePromise<void> => {
    if (!isResult(result, CAST_RESULTS)) throw badReturn(runtime, self, callback, result, CAST_ACCEPTED);
    state = result.state;
    if ('stop' in result) return stop(result.stop);
  };
  const applyCast = (result: CastResult<S>): MaybePromise<void> => apply('handleCast', result);
  const applyInfo = (result: CastResult<S>): MaybePromise<void> => apply('handleInfo', result);

  const dispatch = (message: unknown): MaybePromise<void> => {
    if (isCallEnvelope(message)) {
      if (!behaviour.handleCall) {
        throw new QuiesceError('INVALID_OPTION', `server ${runtime.label(self)} has no handleCall for ${JSON.stringify(message.request)}`);
      }
      return andThen(behaviour.handleCall(message.request, message.from, state, ctx), (result) => {
        if (!isResult(result, CALL_RESULTS)) throw badReturn(runtime, self, 'handleCall', result, CALL_ACCEPTED);
        state = result.state;
        if ('reply' in result) runtime.reply(message.from, result.reply, self);
        if ('stop' in result) return stop(result.stop);
      });
    }
    if (isCastEnvelope(message)) {
      if (!behaviour.handleCast) throw new QuiesceError('INVALID_OPTION', `server ${runtime.label(self)} has no handleCast`);
      return andThen(behaviour.handleCast(message.$cast, state, ctx), applyCast);
    }
    if (isExitMessage(message) && message.from.equals(parent ?? self)) {
      // A trapped exit from the parent: terminate, then exit with the parent's reason. Like gen,
      // an unlinked server is its own parent, so exit(self(), reason) stops it too.
      return stop(message.reason);
    }
    if (behaviour.handleInfo) return andThen(behaviour.handleInfo(message, state, ctx), applyInfo);
  };

  // A callback that throws crashes the server through terminate, unless it has already exited.
  const crash = (error: unknown): MaybePromise<void> => (runtime.isAlive(self) ? stop(error as ExitReason) : undefined);

  runtime.setSystemHandler(self, (request, from) => {
    runtime.reply(from, request === 'get_state' ? state : undefined, self);
  });

  runtime.setHandler(self, (message) => {
    let result: MaybePromise<void>;
    try {
      result = dispatch(message);
    } catch (error) {
      return crash(error);
    }
    if (isPromise(result)) return result.then(undefined, crash);
  });
}

function validateBehaviour(behaviour: ServerBehaviour<unknown, any>): void {
  if (typeof behaviour !== 'object' || behaviour === null) throw new InvalidOptionError('server behaviour', behaviour, 'an object with an init function');
  if (typeof behaviour.init !== 'function') throw new InvalidOptionError('server behaviour.init', behaviour.init, 'a function (args, ctx) => { state }');
  for (const key of ['handleCall', 'handleCast', 'handleInfo', 'terminate'] as const) {
    const fn = behaviour[key];
    if (fn !== undefined && typeof fn !== 'function') throw new InvalidOptionError(`server behaviour.${key}`, fn, 'a function or undefined');
  }
}

/** The keys that make a callback's result, one set per kind of result: a result has every key of one set. */
const INIT_RESULTS: readonly (readonly string[])[] = [['state'], ['ignore'], ['stop']];
const CALL_RESULTS: readonly (readonly string[])[] = [
  ['reply', 'state'],
  ['noreply', 'state'],
  ['stop', 'state'],
];
const CAST_RESULTS: readonly (readonly string[])[] = [['state'], ['stop', 'state']];
const INIT_ACCEPTED = '{ state }, { ignore: true } or { stop: reason }';
const CALL_ACCEPTED = '{ reply, state }, { noreply: true, state } or { stop: reason, state }';
const CAST_ACCEPTED = '{ state } or { stop: reason, state }';

/** Whether `value` is an object with every key of one of `shapes` (checked per message: a few `in` tests). */
function isResult(value: unknown, shapes: readonly (readonly string[])[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (let i = 0; i < shapes.length; i++) if (hasEvery(value, shapes[i]!)) return true;
  return false;
}

/** Loops, not every(): no closure on the path of every call. */
function hasEvery(value: object, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (!(keys[i]! in value)) return false;
  return true;
}

/** The error a server stops with when a callback returns none of its results (OTP: {bad_return_value, Value}). */
function badReturn(runtime: Runtime, self: Pid, callback: string, value: unknown, accepted: string): QuiesceError {
  return new QuiesceError('BAD_RETURN', `server ${runtime.label(self)}: ${callback} returned ${describeReturned(value)}; expected ${accepted}`, {
    callback,
    value,
  });
}

/** A returned value in words: an object by its keys (its shape is what is wrong), anything else as errors describe values. */
function describeReturned(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return describeValue(value);
  const keys = Object.keys(value);
  return keys.length === 0 ? 'an empty object' : `an object with keys { ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''} }`;
}
