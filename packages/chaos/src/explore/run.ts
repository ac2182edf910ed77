import { formatValue, Runtime } from '@quiesce/runtime';
import { type ExplorerPolicy, RunAbandoned } from './policy.js';

/** What a scenario or a check returns: nothing or true when it holds; false or a string saying what is wrong when not. */
export type Verdict = void | boolean | string;

/**
 * Builds a system on the runtime it is given (virtual clock; its scheduler is the explorer's),
 * runs it and says whether it held: it fails by throwing or by returning false or a string.
 */
export type ExploreScenario = (runtime: Runtime) => Verdict | Promise<Verdict>;

/** Judges a run once the scenario has returned and the runtime is idle (its history, its processes' states). */
export type ExploreCheck = (runtime: Runtime) => Verdict | Promise<Verdict>;

export interface RunSettings {
  readonly seed: number;
  readonly check: ExploreCheck | undefined;
  readonly recordMessages: boolean;
}

export interface RunResult {
  /** Why the run failed; undefined when it held (or was abandoned as redundant). */
  readonly failure: string | undefined;
  /** What was thrown, when something was. */
  readonly error?: unknown;
  /** The explorer gave the run up as redundant: it says nothing. */
  readonly redundant: boolean;
  readonly runtime: Runtime;
  /** How many history events the run itself recorded (the shutdown after it records more). */
  readonly events: number;
}

/** Timer jumps a run may take while its scenario waits: a bound, so a scenario that waits on a ticking timer forever ends. */
const MAX_TIMER_STEPS = 10_000;

/** Run the scenario once on a fresh virtual-clock runtime driven by `policy`. */
export async function runSchedule(scenario: ExploreScenario, policy: ExplorerPolicy, settings: RunSettings): Promise<RunResult> {
  const runtime = new Runtime({ clock: 'virtual', seed: settings.seed, scheduler: policy, recordMessages: settings.recordMessages });
  policy.history = runtime.history;
  let events = 0;
  const result = (failure: string | undefined, error?: unknown): RunResult => ({
    failure,
    redundant: false,
    runtime,
    events: events || runtime.history.length,
    ...(error !== undefined ? { error } : {}),
  });
  const outcome = await drive(runtime, scenario, policy);
  const halted = runtime.fault;
  // A halted run (abandoned, or a replay that diverged) is dropped; what it started outside is stopped.
  if (halted !== undefined && runtime.externalLive()) await runtime.shutdown().catch(() => undefined);
  if (halted instanceof RunAbandoned)
    return halted.why === 'redundant' ? { failure: undefined, redundant: true, runtime, events: 0 } : result(halted.message, halted);
  // A replay that no longer fits, or another failure of the scheduler: not the system's fault.
  if (halted !== undefined) throw halted;
  if ('stuck' in outcome) return result(outcome.stuck);
  if ('error' in outcome) return result(`the scenario threw ${describe(outcome.error)}`, outcome.error);
  let failure = judge('the scenario', outcome.value);
  let error: unknown;
  if (failure === undefined && settings.check) {
    try {
      failure = judge('the check', await settings.check(runtime));
    } catch (e) {
      failure = `the check threw ${describe(e)}`;
      error = e;
    }
  }
  events = runtime.history.length;
  // A closed virtual-clock run holds nothing outside itself (its timers are virtual): dropping the
  // runtime is enough, and skipping the shutdown nearly doubles the schedules run per second. One
  // that started something outside (an OS process) is shut down.
  if (runtime.externalLive()) await runtime.shutdown().catch(() => undefined);
  return result(failure, error);
}

type Outcome = { value: unknown } | { error: unknown } | { stuck: string };

/**
 * Runs the scenario to its end: whenever it waits while nothing inside can run, the clock jumps to
 * the next timer (the scenario may wait on a call's timeout); nothing pending and no timer means
 * it waits for something that cannot happen. Then the runtime is left to go idle.
 *
 * A scenario may drive time itself (`await runtime.advance(ms)`): its steps and these must not
 * both fire timers, or the clock would overshoot its target. So the clock jumps only after two
 * idle turns in a row in which nothing moved (no delivery, no event, the same time).
 */
async function drive(runtime: Runtime, scenario: ExploreScenario, policy: ExplorerPolicy): Promise<Outcome> {
  let settled: Outcome | undefined;
  const done = (async () => scenario(runtime))().then(
    (value) => void (settled = { value }),
    (error: unknown) => void (settled = { error }),
  );
  for (let jumps = 0; settled === undefined; jumps++) {
    await Promise.race([done, runtime.idle().catch(() => undefined)]);
    if (settled !== undefined || runtime.fault !== undefined) break;
    const mark = progress(runtime, policy);
    await Promise.race([done, runtime.idle().catch(() => undefined)]);
    if (settled !== undefined || runtime.fault !== undefined) break;
    if (progress(runtime, policy) !== mark) continue;
    if (jumps >= MAX_TIMER_STEPS) return { stuck: `the scenario was still waiting after ${MAX_TIMER_STEPS} timers fired` };
    const step = await runtime.step().catch(() => 'halted' as const);
    if (step === 'never') {
      // It may have settled meanwhile (the step waited for idleness first).
      await Promise.race([done, runtime.idle().catch(() => undefined)]);
      if (settled !== undefined) break;
      return { stuck: 'the scenario waits for something that cannot happen: no delivery is pending and no timer is set (a deadlock?)' };
    }
  }
  if (runtime.fault === undefined) await runtime.idle().catch(() => undefined);
  return settled ?? { stuck: 'halted' };
}

function progress(runtime: Runtime, policy: ExplorerPolicy): string {
  return `${runtime.now()} ${policy.steps} ${runtime.history.length}`;
}

function judge(who: string, verdict: unknown): string | undefined {
  if (verdict === false) return `${who} returned false`;
  if (typeof verdict === 'string') return verdict;
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : formatValue(error);
}
