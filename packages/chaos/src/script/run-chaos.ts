import { formatValue, Runtime } from '@quiesce/runtime';
import { realNow } from '@quiesce/runtime/internal';
import { FAULT_KINDS } from '../kinds.js';
import { describeReport, type SafetyReport } from '../monkey/monkey.js';
import { parseScript, type ChaosScriptOptions, type ScriptRunContext, type ScriptSeedContext } from './options.js';
import { Progress } from './progress.js';
import type { ScriptSeedResult } from './result.js';

export interface ChaosScriptResult {
  readonly runs: number;
  readonly held: number;
  readonly failures: readonly ScriptSeedResult[];
  readonly notStarted: readonly ScriptSeedResult[];
  /** Seeds never run because the time budget had passed. */
  readonly skipped: number;
  /** Faults injected over all seeds, by history kind. */
  readonly faults: Readonly<Record<string, number>>;
  /** Invariant violations found (safety phases). */
  readonly violations: number;
  /** 0: every seed held; 1: a seed failed; 2: the system under test could not be started. */
  readonly exitCode: 0 | 1 | 2;
  readonly summary: string;
}

/** History kinds that are not a fault injected: arming and healing. */
const NOT_INJECTED = new Set<string>([FAULT_KINDS.arm, FAULT_KINDS.heal]);

/**
 * Run a chaos scenario from a plain Node script, no Vitest: for each seed a fresh Runtime on a
 * virtual clock, `start` (the system under test), `scenario` (the chaos: a monkey's `check()`,
 * a sweep of faults), `stop`. Shows progress (one line rewritten on a terminal, a line per seed
 * otherwise), prints a summary (faults injected by kind, invariant violations, the replay
 * command of each failure) and sets `process.exitCode`: 0 when every seed held, 1 when one
 * failed, 2 when the system under test could not be started. See docs/chaos.md.
 */
export async function runChaos<S>(options: ChaosScriptOptions<S>): Promise<ChaosScriptResult> {
  const o = parseScript(options);
  const began = realNow();
  const progress = new Progress(o.output, o.seeds.length);
  const results: ScriptSeedResult[] = [];
  let skipped = 0;
  for (const [i, seed] of o.seeds.entries()) {
    if (realNow() - began >= o.timeBudgetMs) {
      skipped = o.seeds.length - i;
      break;
    }
    const result = await runSeed(o, seed);
    results.push(result);
    progress.seed(result);
  }
  progress.done();
  const failures = results.filter((r) => r.outcome === 'failed');
  const notStarted = results.filter((r) => r.outcome === 'not_started');
  const faults = total(results.map((r) => r.faults));
  const violations = results.filter((r) => r.violation !== undefined).length;
  const exitCode = notStarted.length > 0 ? 2 : failures.length > 0 ? 1 : 0;
  const held = results.length - failures.length - notStarted.length;
  const summary = summarise({ runs: results.length, held, failures, notStarted, skipped, faults, violations, exitCode }, realNow() - began);
  o.output.write(`${summary}\n`);
  process.exitCode = exitCode;
  return { runs: results.length, held, failures, notStarted, skipped, faults, violations, exitCode, summary };
}

async function runSeed<S>(o: ReturnType<typeof parseScript<S>>, seed: number): Promise<ScriptSeedResult> {
  const runtime = new Runtime({ clock: 'virtual', seed });
  const ctx: ScriptSeedContext = { seed, steps: o.steps, runtime };
  const replay = o.replay(seed);
  let system: S;
  try {
    system = await o.start(ctx);
  } catch (error) {
    await quietly(() => runtime.shutdown());
    return { seed, outcome: 'not_started', error: firstLine(describe(error)), faults: {}, replay };
  }
  const run: ScriptRunContext<S> = { ...ctx, system };
  let error: string | undefined;
  let violation: string | undefined;
  try {
    const outcome = await o.scenario(run);
    if (isFailed(outcome)) {
      error = isMonkeyReport(outcome) ? failureOf(outcome) : formatValue(outcome);
      if (isMonkeyReport(outcome) && outcome.violation && outcome.violation.invariant !== 'system') {
        violation = `${outcome.violation.invariant}: ${outcome.violation.message} (step ${outcome.violation.step})`;
      }
    }
  } catch (e) {
    error = describe(e);
  }
  if (o.stop) await quietly(() => o.stop!(run));
  const faults = faultsOf(runtime);
  await quietly(() => runtime.shutdown());
  return error === undefined
    ? { seed, outcome: 'held', faults, replay }
    : { seed, outcome: 'failed', error: firstLine(error), ...(violation ? { violation } : {}), faults, replay };
}

function faultsOf(runtime: Runtime): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of runtime.history.events) {
    if (event.kind.startsWith('fault.') && !NOT_INJECTED.has(event.kind)) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  }
  return counts;
}

function total(all: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counts of all) for (const [kind, n] of Object.entries(counts)) sum[kind] = (sum[kind] ?? 0) + n;
  return Object.fromEntries(Object.entries(sum).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function summarise(r: Omit<ChaosScriptResult, 'summary'>, elapsed: number): string {
  const lines = [
    `chaos: ${r.held} of ${r.runs} seeds held${r.failures.length ? `, ${r.failures.length} failed` : ''}${r.notStarted.length ? `, ${r.notStarted.length} could not start` : ''} (${(elapsed / 1000).toFixed(1)} s)`,
  ];
  if (r.skipped > 0) lines.push(`time budget spent: ${r.skipped} seeds not run`);
  const kinds = Object.entries(r.faults);
  lines.push(`faults injected: ${kinds.length === 0 ? 'none' : kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(`invariant violations: ${r.violations}`);
  for (const f of r.failures) lines.push(`FAILED seed ${f.seed}: ${f.violation ?? f.error}`, `  replay: ${f.replay}`);
  for (const f of r.notStarted) lines.push(`NOT STARTED seed ${f.seed}: ${f.error}`, `  replay: ${f.replay}`);
  lines.push(`exit code ${r.exitCode}`);
  return lines.join('\n');
}

function failureOf(report: SafetyReport): string {
  const text = describeReport(report);
  // The line that says what went wrong, not the seed's header.
  return text.split('\n').find((l) => /violat|converge|failed|missing/i.test(l)) ?? text;
}

function isFailed(value: unknown): value is { ok: false } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

function isMonkeyReport(value: object): value is SafetyReport {
  return 'steps' in value && 'violation' in value && 'replay' in value;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : formatValue(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

async function quietly(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch {
    // A runtime that failed under the chaos may refuse its shutdown: the seed's result says why.
  }
}

export type { ScriptSeedResult };
