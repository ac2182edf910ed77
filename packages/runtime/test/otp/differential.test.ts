/**
 * Differential test against real Erlang/OTP: the same supervisor scenarios run on OTP's own
 * `supervisor` (through supervisor_oracle.escript) and on @quiesce/runtime must produce the same
 * trace: which children started, failed to start, were ignored or went down, in what order and
 * with what reason, and whether and why each supervisor exited.
 *
 * Without `escript` the suite is skipped locally; in CI (CI=true) a missing escript fails.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { escriptAvailable, runOracle } from './oracle.js';
import { runOnRuntime } from './run-on-runtime.js';
import { scenarioArb, validateScenario, type Scenario } from './scenario.js';

const available = await escriptAvailable();
if (!available && process.env.CI) throw new Error('escript (erlang-base) is required in CI for the OTP differential test');
// Skipped for a missing part: say which, and how to get it, in the output and in the suite's title.
const MISSING = 'needs escript (Erlang/OTP): apt-get install erlang-base';
if (!available) console.warn(`[quiesce] the OTP differential tests are skipped: ${MISSING}`);

/** Generated scenarios per CI run; QUIESCE_OTP_SCENARIOS raises it for a deeper local sweep. */
const GENERATED = Number(process.env.QUIESCE_OTP_SCENARIOS ?? 600);
const SEED = Number(process.env.QUIESCE_OTP_SEED ?? 20261121);

function sample(arb: fc.Arbitrary<Scenario>, n: number, seed: number): Scenario[] {
  return fc.sample(arb, { numRuns: n, seed }).filter((s) => validateScenario(s).length === 0);
}

/**
 * When a supervisor is killed, its children receive `killed` through their links concurrently and
 * OTP does not specify the order of their deaths (it follows ERTS's link tree). Such runs of
 * consecutive `down ... killed` lines are compared as sets. Likewise once the root is killed,
 * the whole tree below it goes down concurrently (nested supervisors shut their own children
 * down while their siblings are dying), so what follows `down root killed` is compared as a set.
 */
function canonical(trace: string[]): string[] {
  const rootKilled = trace.indexOf('down root killed');
  if (rootKilled < 0) return sortKilledRuns(trace);
  return [...sortKilledRuns(trace.slice(0, rootKilled + 1)), ...trace.slice(rootKilled + 1).sort()];
}

function sortKilledRuns(trace: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    out.push(...run.sort());
    run = [];
  };
  for (const line of trace) {
    if (/^down \S+ killed$/.test(line)) run.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out;
}

async function compare(scenarios: Scenario[], normalise: (t: string[]) => string[] = (t) => t): Promise<void> {
  const unique = [...new Map(scenarios.map((s) => [s.name, s])).values()];
  const oracle = await runOracle(unique);
  const mismatches: string[] = [];
  for (const scenario of unique) {
    const expected = oracle.get(scenario.name)!;
    const actual = await runOnRuntime(scenario);
    if (JSON.stringify(normalise(actual)) !== JSON.stringify(normalise(expected))) {
      mismatches.push(`scenario ${scenario.name}\n${JSON.stringify(scenario)}\n--- OTP\n${expected.join('\n')}\n--- runtime\n${actual.join('\n')}`);
    }
  }
  expect(mismatches.slice(0, 3).join('\n\n'), `${mismatches.length} of ${unique.length} scenarios differ`).toBe('');
  expect(unique.length).toBeGreaterThan(0);
}

describe.skipIf(!available)(`supervisor semantics match Erlang/OTP${available ? '' : ` (skipped: ${MISSING})`}`, () => {
  test(`${GENERATED} generated scenarios: strategies, restart types, nesting, intensity, start results, significant children`, async () => {
    await compare(sample(scenarioArb(), GENERATED, SEED));
  });

  test('generated scenarios that also kill supervisors and crash the root', async () => {
    await compare(sample(scenarioArb({ crashSupervisors: true, maxDepth: 2 }), 100, SEED + 1), canonical);
  });

  test('period expiry: restarts older than the period stop counting (real time on the OTP side)', async () => {
    await compare(sample(scenarioArb({ waits: true, maxDepth: 1, maxSteps: 6 }), 4, SEED + 2));
  });
});
