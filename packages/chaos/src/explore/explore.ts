import { deriveSeed, QuiesceError, type Runtime } from '@quiesce/runtime';
import { checkFunction } from '../options.js';
import { Enumeration } from './enumeration.js';
import { checkExploreOptions, checkReplayOptions, type ExploreOptions, type ExploreSettings, type ExploreStrategy, type ReplayOptions } from './options.js';
import { type ExplorerPolicy, PctPolicy, RandomPolicy, SchedulePolicy } from './policy.js';
import { type ExploreScenario, type RunResult, runSchedule } from './run.js';
import { shrinkChoices } from './shrink.js';
import { formatSchedule } from './timeline.js';
import { decodeToken, encodeToken, type Schedule, trimDefaults } from './token.js';

/** A schedule in numbers. */
export interface ScheduleSummary {
  /** Its replay token: `explore.replay(scenario, token)` runs it again. */
  readonly token: string;
  /** Choice points up to its last choice off the default. */
  readonly length: number;
  /** Choices off the default order. */
  readonly deviations: number;
  /** Switches away from a process that could have gone on. */
  readonly preemptions: number;
}

export interface ExploreFailure {
  /** Which run failed first (1-based). */
  readonly run: number;
  /** Why the minimal schedule fails (the scenario's or the check's words, or what it threw). */
  readonly message: string;
  readonly error?: unknown;
  /** The minimal schedule's replay token. */
  readonly token: string;
  readonly original: ScheduleSummary;
  readonly minimal: ScheduleSummary;
  /** Runs spent shrinking. */
  readonly shrinkRuns: number;
  /** The minimal schedule, one delivery a line, with the events each caused. */
  readonly timeline: string;
}

/** PCT's guarantee for the runs made: each finds a bug of depth d with probability at least 1/(n·k^(d-1)). */
export interface PctBound {
  /** Pairs (sender → receiver) that competed at some choice point, most in one run. */
  readonly n: number;
  /** Choice points, most in one run. */
  readonly k: number;
  readonly d: number;
  readonly probability: number;
  /** 1 / probability: the runs expected before a depth-d bug shows. */
  readonly expectedRuns: number;
}

export interface ExploreReport {
  readonly ok: boolean;
  readonly strategy: ExploreStrategy;
  readonly seed: number;
  /** Runs completed (schedules explored). */
  readonly schedules: number;
  /** Exhaustive with sleep sets: runs abandoned part-way as equivalent to an explored one. */
  readonly redundant: number;
  /** Exhaustive: every schedule within the bound was explored (false when `runs` or a failure stopped it). */
  readonly complete: boolean;
  /** Failing runs (1 unless `keepGoing`). */
  readonly failures: number;
  readonly failure?: ExploreFailure;
  readonly pct?: PctBound;
  /** The outcome in a few lines: counts, the failure, its minimal schedule's token and timeline. */
  summary(): string;
  /** In a test: throws a QuiesceError (`PROPERTY_FAILED`) whose message is the summary when a run failed. */
  assertOk(): void;
}

export interface ReplayResult {
  readonly failed: boolean;
  readonly message?: string;
  readonly error?: unknown;
  readonly token: string;
  /** The run's history as JSON lines: byte-identical from replay to replay. */
  readonly history: string;
  readonly timeline: string;
  readonly runtime: Runtime;
}

/**
 * Explore the interleavings of a scenario: run it again and again on fresh virtual-clock runtimes
 * whose scheduler the strategy drives, until a run fails or `runs` are done (exhaustive: or every
 * schedule within the preemption bound has run). A failure comes with a replay token and is
 * shrunk to a minimal schedule with a readable timeline. Options are checked before anything runs.
 */
function exploreScenario(scenario: ExploreScenario, options: ExploreOptions): Promise<ExploreReport> {
  checkFunction<ExploreScenario>('explore(scenario)', scenario, '(runtime) => void | boolean | string');
  const settings = checkExploreOptions(options);
  return explorer(scenario, settings);
}

/** Run one schedule again from its token; the same token gives the same run, history byte for byte. Bad input throws at once. */
function replaySchedule(scenario: ExploreScenario, token: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  checkFunction<ExploreScenario>('explore.replay(scenario)', scenario, '(runtime) => void | boolean | string');
  const schedule = decodeToken('explore.replay(token)', token);
  return replay(scenario, token, schedule, checkReplayOptions(options));
}

async function replay(
  scenario: ExploreScenario,
  token: string,
  schedule: Schedule,
  { check, maxSteps, recordMessages }: ReturnType<typeof checkReplayOptions>,
): Promise<ReplayResult> {
  const policy = new SchedulePolicy(schedule.choices, { strict: true, maxSteps, trace: true });
  const run = await runSchedule(scenario, policy, { seed: schedule.seed, check, recordMessages });
  const events = run.runtime.history.events.slice(0, run.events);
  return {
    failed: run.failure !== undefined,
    ...(run.failure !== undefined ? { message: run.failure } : {}),
    ...(run.error !== undefined ? { error: run.error } : {}),
    token,
    history: run.runtime.history.toJSONLines(),
    timeline: formatSchedule(policy.trace ?? [], events),
    runtime: run.runtime,
  };
}

export const explore: typeof exploreScenario & { replay: typeof replaySchedule } = Object.assign(exploreScenario, { replay: replaySchedule });

async function explorer(scenario: ExploreScenario, s: ExploreSettings): Promise<ExploreReport> {
  const settings = { seed: s.seed, check: s.check, recordMessages: s.recordMessages };
  const enumeration = s.strategy === 'exhaustive' ? new Enumeration({ preemptionBound: s.preemptionBound, reduce: s.reduce, maxSteps: s.maxSteps }) : undefined;
  let schedules = 0;
  let redundant = 0;
  let failures = 0;
  let complete = false;
  let k = 1;
  let n = 1;
  let first: { run: number; result: RunResult; policy: ExplorerPolicy } | undefined;
  while (schedules + redundant < s.runs) {
    const index = schedules + redundant;
    let policy: ExplorerPolicy;
    if (enumeration) {
      const next = enumeration.next();
      if (!next) {
        complete = true;
        break;
      }
      policy = next;
    } else if (s.strategy === 'pct') policy = new PctPolicy(deriveSeed(s.seed, `explore.pct.${index}`), s.depth, k, s.maxSteps);
    else policy = new RandomPolicy(deriveSeed(s.seed, `explore.random.${index}`), s.maxSteps);
    const result = await runSchedule(scenario, policy, settings);
    if (result.redundant) {
      redundant++;
      continue;
    }
    schedules++;
    k = Math.max(k, policy.choices.length);
    if (policy instanceof PctPolicy) n = Math.max(n, policy.threads);
    if (result.failure !== undefined) {
      failures++;
      first ??= { run: schedules, result, policy };
      if (!s.keepGoing) break;
    }
  }
  if (enumeration && !complete && first === undefined && schedules + redundant >= s.runs) complete = enumeration.next() === undefined;
  const failure = first ? await describeFailure(scenario, s, first) : undefined;
  const pct = s.strategy === 'pct' ? pctBound(n, k, s.depth) : undefined;
  const report = {
    ok: failures === 0,
    strategy: s.strategy,
    seed: s.seed,
    schedules,
    redundant,
    complete,
    failures,
    ...(failure ? { failure } : {}),
    ...(pct ? { pct } : {}),
  };
  return {
    ...report,
    summary: () => summarise(report),
    assertOk: () => {
      if (report.ok) return;
      throw new QuiesceError('PROPERTY_FAILED', summarise(report), { strategy: s.strategy, seed: s.seed, ...(failure ? { token: failure.token } : {}) });
    },
  };
}

function pctBound(n: number, k: number, d: number): PctBound {
  const expectedRuns = n * k ** (d - 1);
  return { n, k, d, probability: 1 / expectedRuns, expectedRuns };
}

/** Shrink the failing schedule, then run the minimal one traced, with every message recorded, for its timeline. */
async function describeFailure(
  scenario: ExploreScenario,
  s: ExploreSettings,
  first: { run: number; result: RunResult; policy: ExplorerPolicy },
): Promise<ExploreFailure> {
  const settings = { seed: s.seed, check: s.check, recordMessages: s.recordMessages };
  const original = first.policy.choices;
  const { choices, attempts } = s.shrink
    ? await shrinkChoices(
        original,
        async (candidate) => {
          const policy = new SchedulePolicy(candidate, { strict: false, maxSteps: s.maxSteps, trace: false });
          const run = await runSchedule(scenario, policy, settings);
          return { failed: run.failure !== undefined, choices: policy.choices };
        },
        s.shrinkRuns,
      )
    : { choices: trimDefaults(original), attempts: 0 };
  const traced = new SchedulePolicy(choices, { strict: true, maxSteps: s.maxSteps, trace: true });
  const run = await runSchedule(scenario, traced, { ...settings, recordMessages: true });
  const summary = (policy: ExplorerPolicy, made: readonly number[]): ScheduleSummary => {
    const trimmed = trimDefaults(made);
    return {
      token: encodeToken({ seed: s.seed, choices: trimmed }),
      length: trimmed.length,
      deviations: trimmed.filter((c) => c !== 0).length,
      preemptions: policy.preemptions,
    };
  };
  const minimal = summary(traced, choices);
  const failed = run.failure !== undefined ? run : first.result;
  return {
    run: first.run,
    message: failed.failure ?? 'failed',
    ...(failed.error !== undefined ? { error: failed.error } : {}),
    token: minimal.token,
    original: summary(first.policy, original),
    minimal,
    shrinkRuns: attempts,
    timeline: formatSchedule(traced.trace ?? [], run.runtime.history.events.slice(0, run.events)),
  };
}

function summarise(r: Omit<ExploreReport, 'summary' | 'assertOk'>): string {
  const lines: string[] = [];
  const runs = `${r.schedules} schedule${r.schedules === 1 ? '' : 's'}${r.redundant > 0 ? ` (+${r.redundant} abandoned as redundant)` : ''}`;
  const scope = r.strategy === 'exhaustive' ? (r.complete ? ', every schedule within the bound' : ', not every schedule within the bound') : '';
  lines.push(`explore (${r.strategy}, seed ${r.seed}): ${runs}${scope}; ${r.ok ? 'no failure' : `${r.failures} failed`}`);
  if (r.pct) lines.push(`  PCT bound: n=${r.pct.n} pairs, k=${r.pct.k} choice points, d=${r.pct.d}: p ≥ 1/${Math.ceil(r.pct.expectedRuns)} per run`);
  const f = r.failure;
  if (f) {
    const size = (x: ScheduleSummary): string => `${x.length} choice points, ${x.deviations} off the default order, ${x.preemptions} preemptions`;
    lines.push(`  run ${f.run} failed: ${f.message}`);
    lines.push(`  minimal schedule: ${size(f.minimal)} (from ${size(f.original)}; ${f.shrinkRuns} shrink runs)`);
    lines.push(`  replay: explore.replay(scenario, '${f.token}')`);
    lines.push(f.timeline);
  }
  return lines.join('\n');
}
