import fc from 'fast-check';
import { InvalidOptionError, QuiesceError, Runtime, deriveSeed, formatValue, type ProcessContext, type SchedulerOption } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import '../events.js';
import { checkLinearizable, type Operation, type LinearizabilityVerdict } from './check.js';
import { resolveModel, type ResolvedModel, type SequentialModel } from './model.js';
import { formatHistory } from './timeline.js';
import { decodeToken, encodeToken } from './token.js';
import { PctPolicy, RandomPolicy } from '../explore/policy.js';
import type { Scenario } from './types.js';

/** Deliveries one run may take under an explorer's policy before it is abandoned (a livelock). */
const MAX_STEPS = 1_000_000;

/**
 * Concurrent scenarios with a verdict: fast-check draws scenarios (clients, each with a list of
 * operations against one system), each runs on a fresh runtime under several schedules, every
 * call's invocation and response is recorded in the history, and each history is checked for
 * linearizability against the user's sequential model. A failure is shrunk by fast-check (the
 * schedules of a scenario depend only on the seed, so a shrunk scenario runs under the same
 * ones) and replays from its token exactly: the token holds the scenario and the scheduler's
 * recorded choices.
 */

/** What is checked: the system, how a client performs an operation, and the sequential model. */
export interface ConcurrentSpec<T, S, I, O> {
  /** Start the system the clients call, on a fresh runtime (virtual clock, the run's schedule). */
  setup(runtime: Runtime): T | Promise<T>;
  /** Perform one operation from a client's process; its result is the operation's output (a throw: it never returned). */
  run(ctx: ProcessContext, target: T, input: I): O | Promise<O>;
  /** The sequential specification: a plain reducer (see SequentialModel). */
  model: SequentialModel<S, I, O>;
  /** The operations clients draw. Inputs must be JSON values (a token carries them). */
  operation: fc.Arbitrary<I>;
}

/**
 * Where a run's schedule comes from: a number of seeded random schedules per scenario, or a
 * source of scheduler options (a strategy: PCT, exhaustive, …) giving the `index`-th schedule of
 * a scenario. A scenario's schedules depend only on `seed` and `index`, so shrinking is sound.
 */
export type ScheduleSource =
  | number
  | { readonly count: number; schedule(index: number, seed: number): SchedulerOption }
  | {
      /** The explorer's strategies (see `explore`): uniformly random choices, or PCT with priority change points. */
      readonly strategy: 'random' | 'pct';
      readonly count: number;
      /** PCT: the bug depth it aims at (d - 1 priority changes). Default 3. */
      readonly depth?: number;
      /** PCT: how many of the first scheduling decisions the change points are drawn from. Default 50. */
      readonly decisions?: number;
    };

export interface ConcurrentOptions {
  /** The seed of scenarios and schedules (a test's `system.seed`). */
  seed: number;
  /** How many scenarios fast-check draws. Default 100. */
  scenarios?: number;
  /** Most clients in a scenario. Default 3. */
  clients?: number;
  /** Most operations per client. Default 3. */
  operations?: number;
  /** The schedules each scenario runs under. Default 10 seeded random schedules. */
  schedules?: ScheduleSource;
  /** Virtual milliseconds one run may take before its unfinished operations count as pending. Default 60000. */
  timeout?: number;
}

/** One run of a scenario under one schedule. */
export interface ConcurrentRun<I, O> {
  readonly scenario: Scenario<I>;
  readonly history: readonly Operation<I, O>[];
  readonly verdict: LinearizabilityVerdict<I, O>;
  /** Replays this run exactly (`replayConcurrent(spec, token)`). */
  readonly token: string;
  /** The run's history as a timeline of overlapping calls, with the verdict. */
  readonly timeline: string;
}

export interface ConcurrentReport<I, O> {
  readonly ok: boolean;
  /** Scenarios run (shrinking included) and histories checked. */
  readonly scenarios: number;
  readonly histories: number;
  /** The shrunk failing run, when a history was not linearizable. */
  readonly failure: ConcurrentRun<I, O> | undefined;
}

/** A history no sequential order explains: the message has the shrunk timeline and the replay token. */
export class LinearizabilityError extends QuiesceError {
  readonly run: ConcurrentRun<unknown, unknown>;
  constructor(run: ConcurrentRun<unknown, unknown>, report: { scenarios: number; histories: number }) {
    const clients = run.scenario.length;
    const ops = run.scenario.reduce((n, c) => n + c.length, 0);
    super(
      'NOT_LINEARIZABLE',
      [
        `a concurrent history is not linearizable (shrunk to ${clients} client(s) x ${ops} operation(s); ${report.histories} histories checked):`,
        '',
        run.timeline,
        '',
        `replay: replayConcurrent(spec, '${run.token}')`,
      ].join('\n'),
      { token: run.token, scenario: run.scenario },
    );
    this.run = run;
  }
}

interface Resolved {
  seed: number;
  scenarios: number;
  clients: number;
  operations: number;
  schedules: { count: number; schedule(index: number, seed: number): SchedulerOption };
  timeout: number;
}

/** Draw scenarios, run each under the schedules, check every history; the first failure is shrunk. */
export async function checkConcurrent<T, S, I, O>(spec: ConcurrentSpec<T, S, I, O>, options: ConcurrentOptions): Promise<ConcurrentReport<I, O>> {
  const model = checkSpec(spec);
  const o = concurrentOptions(options);
  let histories = 0;
  let scenarios = 0;
  const property = fc.asyncProperty(scenarioArbitrary(spec.operation, o.clients, o.operations), async (scenario) => {
    scenarios++;
    for (let k = 0; k < o.schedules.count; k++) {
      const run = await runScenario(spec, model, scenario, o.schedules.schedule(k, o.seed), o.timeout);
      histories++;
      if (!run.verdict.linearizable) return false;
    }
    return true;
  });
  const details = await fc.check(property, { seed: o.seed, numRuns: o.scenarios });
  if (!details.failed) return { ok: true, scenarios, histories, failure: undefined };
  if (details.counterexample === null) throw details.errorInstance ?? new Error(`checkConcurrent: the property failed without a counterexample`);
  const [scenario] = details.counterexample;
  // The shrunk scenario again, under the same schedules: the first that fails is the run reported.
  let failure: ConcurrentRun<I, O> | undefined;
  for (let k = 0; k < o.schedules.count && !failure; k++) {
    const run = await runScenario(spec, model, scenario, o.schedules.schedule(k, o.seed), o.timeout);
    if (!run.verdict.linearizable) failure = run;
  }
  if (!failure) {
    throw new QuiesceError(
      'NOT_LINEARIZABLE',
      'checkConcurrent: the shrunk scenario passed when run again: the system under test is not deterministic on the runtime (does it use real time or I/O?)',
      { scenario },
    );
  }
  const tightened = await tighten(spec, model, o, failure);
  return { ok: false, scenarios, histories: histories + tightened.histories, failure: tightened.run };
}

/**
 * fast-check's shrinking is local to the schedules a scenario runs under: removing an operation
 * changes the interleavings those schedules produce, so a smaller scenario that fails under some
 * other schedule is missed. This pass tries each one-step-smaller scenario (an operation removed,
 * or moved to another client so two clients merge) under more schedules (four times as many, at
 * least 32), and keeps any that fails, until none does. Deterministic: the schedules depend only
 * on the seed and their index.
 */
async function tighten<T, S, I, O>(
  spec: ConcurrentSpec<T, S, I, O>,
  model: ResolvedModel<S, I, O>,
  o: Resolved,
  found: ConcurrentRun<I, O>,
): Promise<{ run: ConcurrentRun<I, O>; histories: number }> {
  const deeper = Math.max(4 * o.schedules.count, 32);
  let best = found;
  let histories = 0;
  for (let improved = true; improved; ) {
    improved = false;
    for (const candidate of smaller(best.scenario)) {
      for (let k = 0; k < deeper; k++) {
        const run = await runScenario(spec, model, candidate, o.schedules.schedule(k, o.seed), o.timeout);
        histories++;
        if (!run.verdict.linearizable) {
          best = run;
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
  }
  return { run: best, histories };
}

/** The scenarios one step smaller: fewer operations first, then fewer clients (an operation moved to another client). */
function* smaller<I>(scenario: Scenario<I>): Generator<Scenario<I>> {
  const compact = (clients: (readonly I[])[]): Scenario<I> => clients.filter((c) => c.length > 0);
  for (let c = 0; c < scenario.length; c++) {
    for (let i = 0; i < scenario[c]!.length; i++) {
      yield compact(scenario.map((ops, d) => (d === c ? ops.filter((_, j) => j !== i) : ops)));
    }
  }
  // A client with one operation joins another client (at its end): one client fewer, as many operations.
  for (let c = 0; c < scenario.length; c++) {
    if (scenario[c]!.length !== 1) continue;
    for (let d = 0; d < scenario.length; d++) {
      if (d === c) continue;
      yield compact(scenario.map((ops, e) => (e === c ? [] : e === d ? [...ops, scenario[c]![0]!] : ops)));
    }
  }
}

/** checkConcurrent, throwing a LinearizabilityError (shrunk timeline, replay token) on a failure. */
export async function assertLinearizable<T, S, I, O>(spec: ConcurrentSpec<T, S, I, O>, options: ConcurrentOptions): Promise<ConcurrentReport<I, O>> {
  const report = await checkConcurrent(spec, options);
  if (report.failure) throw new LinearizabilityError(report.failure as ConcurrentRun<unknown, unknown>, report);
  return report;
}

/** Run the scenario and schedule a token names again, exactly. */
export async function replayConcurrent<T, S, I, O>(
  spec: ConcurrentSpec<T, S, I, O>,
  token: string,
  options: { timeout?: number } = {},
): Promise<ConcurrentRun<I, O>> {
  const model = checkSpec(spec);
  const { scenario, schedule } = decodeToken<I>('replayConcurrent(token)', token);
  checkOptions('replayConcurrent options', options, ['timeout']);
  const timeout = options.timeout === undefined ? 60_000 : positiveInteger('replayConcurrent options.timeout', options.timeout, 1);
  return runScenario(spec, model, scenario, { replay: schedule }, timeout);
}

/** One run: a fresh runtime under `scheduler`, one process per client, every call recorded. */
export async function runScenario<T, S, I, O>(
  spec: ConcurrentSpec<T, S, I, O>,
  model: ResolvedModel<S, I, O>,
  scenario: Scenario<I>,
  scheduler: SchedulerOption,
  timeout: number,
): Promise<ConcurrentRun<I, O>> {
  const runtime = new Runtime({ clock: 'virtual', scheduler });
  try {
    let started: { ok: T } | { error: unknown } | undefined;
    Promise.resolve()
      .then(() => spec.setup(runtime))
      .then(
        (ok) => (started = { ok }),
        (error: unknown) => (started = { error }),
      );
    // A setup that waits on kernel time (a server whose init sleeps) is driven like the runs.
    await driveUntil(runtime, () => started !== undefined, runtime.now() + timeout);
    if (started === undefined) throw new QuiesceError('TIMEOUT', `concurrent spec.setup did not finish within ${timeout} ms of virtual time`, { timeout });
    if ('error' in started) throw started.error;
    const target = started.ok;
    let done = 0;
    const calls: Array<{ client: number; input: I; call: number; callTime: number; ret?: number; retTime?: number; output?: O }> = [];
    const perform = async (ctx: ProcessContext, inputs: readonly I[], client: number): Promise<void> => {
      for (const input of inputs) {
        const id = calls.length;
        const invoked = runtime.record('scenario.invoke', `client${client}`, { client, op: id, input: input as unknown });
        const call: (typeof calls)[number] = { client, input, call: invoked.seq, callTime: invoked.time };
        calls.push(call);
        let output: O;
        try {
          output = await spec.run(ctx, target, input);
        } catch (error) {
          // It may or may not have taken effect: pending for the checker, and the client stops.
          runtime.record('scenario.return', `client${client}`, { client, op: id, error: formatValue(error) });
          return;
        }
        const returned = runtime.record('scenario.return', `client${client}`, { client, op: id, output: output as unknown });
        Object.assign(call, { ret: returned.seq, retTime: returned.time, output });
      }
    };
    const clients = scenario.map((inputs, client) =>
      runtime.spawn(
        async (message, ctx) => {
          if (message !== 'go') return;
          try {
            await perform(ctx, inputs, client);
          } finally {
            done++;
          }
        },
        { label: `client${client}` },
      ),
    );
    // Every client starts on its own delivery: which goes first is the schedule's choice.
    for (const pid of clients) runtime.send(pid, 'go');
    // Until every client is done or nothing can happen before the deadline: a heartbeat timer in
    // the system under test does not keep the run going once the clients are done.
    await driveUntil(runtime, () => done === clients.length, runtime.now() + timeout);
    const history: Operation<I, O>[] = calls.map((c, id) => ({
      id,
      client: c.client,
      input: c.input,
      output: c.output as O,
      call: c.call,
      ret: c.ret,
      callTime: c.callTime,
      retTime: c.retTime,
    }));
    const verdict = checkLinearizable(history, model);
    const token = encodeToken(scenario, runtime.scheduler.token());
    return { scenario, history, verdict, token, timeline: formatHistory(history, model as ResolvedModel<unknown, I, O>, verdict) };
  } finally {
    await runtime.shutdown();
  }
}

/**
 * Step the runtime's virtual clock (run to idle, fire the next timer, …) until `done()` or until
 * nothing can happen before `deadline` (virtual ms).
 */
async function driveUntil(runtime: Runtime, done: () => boolean, deadline: number): Promise<void> {
  await runtime.idleInside();
  while (!done()) {
    const step = await runtime.step(deadline);
    if (step === 'beyond' || step === 'never') return;
  }
}

/**
 * Scenarios as a flat list of (client, operation) drawn together, grouped by client: shrinking a
 * client number merges two clients, so a failure shrinks towards the fewest clients as well as
 * the fewest operations. At most `operations` per client are kept.
 */
export function scenarioArbitrary<I>(operation: fc.Arbitrary<I>, clients: number, operations: number): fc.Arbitrary<Scenario<I>> {
  return fc.array(fc.tuple(fc.nat({ max: clients - 1 }), operation), { minLength: 1, maxLength: clients * operations }).map((flat) => {
    const order: number[] = [];
    const byClient = new Map<number, I[]>();
    for (const [client, input] of flat) {
      let list = byClient.get(client);
      if (!list) {
        byClient.set(client, (list = []));
        order.push(client);
      }
      if (list.length < operations) list.push(input);
    }
    return order.map((client) => byClient.get(client)!);
  });
}

function checkSpec<T, S, I, O>(spec: ConcurrentSpec<T, S, I, O>): ResolvedModel<S, I, O> {
  const s = spec as Partial<ConcurrentSpec<T, S, I, O>> | null;
  const accepted = 'a spec { setup(runtime), run(ctx, target, input), model, operation (a fast-check arbitrary) }';
  if (typeof s !== 'object' || s === null) throw new InvalidOptionError('concurrent spec', spec, accepted);
  if (typeof s.setup !== 'function') throw new InvalidOptionError('concurrent spec.setup', s.setup, 'a function (runtime) => the target clients call');
  if (typeof s.run !== 'function') throw new InvalidOptionError('concurrent spec.run', s.run, 'a function (ctx, target, input) => output');
  if (!(s.operation instanceof fc.Arbitrary)) throw new InvalidOptionError('concurrent spec.operation', s.operation, 'a fast-check Arbitrary of inputs');
  return resolveModel<S, I, O>('concurrent spec.model', s.model);
}

/** Validate checkConcurrent's options (InvalidOptionError naming the option), defaults filled in. */
export function concurrentOptions(options: unknown): Resolved {
  checkOptions('checkConcurrent options', options, ['seed', 'scenarios', 'clients', 'operations', 'schedules', 'timeout']);
  const o = options as unknown as ConcurrentOptions;
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff))
    throw new InvalidOptionError('checkConcurrent options.seed', o.seed, 'an integer from 0 to 4294967295 (a test’s system.seed)');
  return {
    seed: o.seed,
    scenarios: o.scenarios === undefined ? 100 : positiveInteger('checkConcurrent options.scenarios', o.scenarios, 1),
    clients: o.clients === undefined ? 3 : positiveInteger('checkConcurrent options.clients', o.clients, 1, 32),
    operations: o.operations === undefined ? 3 : positiveInteger('checkConcurrent options.operations', o.operations, 1, 64),
    schedules: scheduleSource(o.schedules),
    timeout: o.timeout === undefined ? 60_000 : positiveInteger('checkConcurrent options.timeout', o.timeout, 1),
  };
}

function scheduleSource(value: unknown): Resolved['schedules'] {
  if (value === undefined) value = 10;
  if (typeof value === 'number') {
    const count = positiveInteger('checkConcurrent options.schedules', value, 1);
    return { count, schedule: (index, seed) => ({ random: deriveSeed(seed, `schedule#${index}`) }) };
  }
  const s = value as { count?: unknown; schedule?: unknown; strategy?: unknown; depth?: unknown; decisions?: unknown } | null;
  if (typeof s === 'object' && s !== null && 'strategy' in s) {
    checkOptions('checkConcurrent options.schedules', s, ['strategy', 'count', 'depth', 'decisions']);
    const strategy = s.strategy;
    if (strategy !== 'random' && strategy !== 'pct') throw new InvalidOptionError('checkConcurrent options.schedules.strategy', strategy, "'random' or 'pct'");
    const count = positiveInteger('checkConcurrent options.schedules.count', s.count, 1);
    const depth = s.depth === undefined ? 3 : positiveInteger('checkConcurrent options.schedules.depth', s.depth, 1, 16);
    const decisions = s.decisions === undefined ? 50 : positiveInteger('checkConcurrent options.schedules.decisions', s.decisions, 1);
    // A fresh policy per run (they keep state); the runtime's own decision record makes the replay token.
    return strategy === 'pct'
      ? { count, schedule: (index, seed) => new PctPolicy(deriveSeed(seed, `lin.pct.${index}`), depth, decisions, MAX_STEPS) }
      : { count, schedule: (index, seed) => new RandomPolicy(deriveSeed(seed, `lin.random.${index}`), MAX_STEPS) };
  }
  if (typeof s === 'object' && s !== null && Number.isSafeInteger(s.count) && (s.count as number) >= 1 && typeof s.schedule === 'function') {
    const schedule = s.schedule as (index: number, seed: number) => SchedulerOption;
    return { count: s.count as number, schedule: schedule.bind(s) };
  }
  throw new InvalidOptionError(
    'checkConcurrent options.schedules',
    value,
    "a number of seeded random schedules (>= 1), { strategy: 'random' | 'pct', count, depth?, decisions? }, or { count, schedule(index, seed) => SchedulerOption }",
  );
}

function positiveInteger(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max) return value as number;
  throw new InvalidOptionError(option, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
}

export type { Scenario };
