/**
 * Differential test against real Erlang/OTP for processes and servers: generated scenarios of
 * plain processes and gen_servers — links, monitors, trap_exit, exit signals with normal, kill,
 * shutdown and other reasons (to others and to self), messages, and gen_server calls that reply at
 * once, later, never (timeout), crash in the handler, stop with or without a reply, or reach a
 * dead or dying server — run on OTP's own `erlang` and `gen_server` (process_oracle.escript, one
 * `escript` run, `+S 1:1`) and on @quiesce/runtime.
 *
 * OTP orders signals only per sender-receiver pair; across senders the order is unspecified. So
 * the traces are compared per (receiver, sender) pair: what each process received from each
 * sender, in order; the results of its calls to each server; what each server handled from each
 * caller; and how every process ended.
 *
 * Without `escript` the suite is skipped locally (install Erlang: `apt-get install erlang-base`);
 * in CI (CI=true) a missing escript fails.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PROCESS_ORACLE_SCRIPT, escriptAvailable, runOracleScript } from './oracle.js';
import { comparePerSender, processScenarioArb, toErlangTerm, type ProcessScenario } from './process-scenario.js';
import { runProcessScenario } from './run-process-scenario.js';

const available = await escriptAvailable();
const MISSING = 'escript not found: install Erlang/OTP (Debian/Ubuntu package erlang-base: apt-get install erlang-base)';
if (!available && process.env.CI) throw new Error(`${MISSING}; it is required in CI for the OTP differential test`);
if (!available) console.warn(`process and server OTP differential skipped: ${MISSING}`);

/** Generated scenarios per CI run; QUIESCE_OTP_PROCESS_SCENARIOS raises it for a deeper local sweep. */
const GENERATED = Number(process.env.QUIESCE_OTP_PROCESS_SCENARIOS ?? 1200);
const SEED = Number(process.env.QUIESCE_OTP_SEED ?? 20261202);

async function compare(scenarios: ProcessScenario[]): Promise<number> {
  const unique = [...new Map(scenarios.map((s) => [s.name, s])).values()];
  const oracle = await runOracleScript(
    PROCESS_ORACLE_SCRIPT,
    unique.map((s) => ({ name: s.name, term: toErlangTerm(s) })),
  );
  const mismatches: string[] = [];
  for (const scenario of unique) {
    const expected = oracle.get(scenario.name)!;
    const actual = await runProcessScenario(scenario);
    const diff = comparePerSender(expected, actual);
    if (diff.length > 0) {
      const traces = `--- OTP\n${expected.join('\n')}\n--- runtime\n${actual.join('\n')}`;
      mismatches.push(`scenario ${scenario.name}\n${toErlangTerm(scenario)}\n${diff.join('\n')}\n${traces}`);
    }
  }
  expect(mismatches.slice(0, 3).join('\n\n'), `${mismatches.length} of ${unique.length} scenarios differ`).toBe('');
  return unique.length;
}

const TITLE = 'process and server semantics match Erlang/OTP';

describe.skipIf(!available)(available ? TITLE : `${TITLE} (skipped: ${MISSING})`, () => {
  test(`${GENERATED} generated scenarios: links, monitors, trap_exit, exit signals, calls, compared per sender`, async () => {
    const scenarios = fc.sample(processScenarioArb(), { numRuns: GENERATED, seed: SEED });
    expect(await compare(scenarios)).toBeGreaterThanOrEqual(1000);
  });
});
