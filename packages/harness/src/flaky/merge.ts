import { readFileSync } from 'node:fs';
import { QuiesceError } from '@quiesce/runtime';
import type { RunRaw, TestRaw } from './model.js';
import { buildFlakyReport, type FlakyReport, type SessionRaw } from './report.js';

/**
 * Combine the reports of the shards of one session (`--shard i/n` with one `--seed`): the runs
 * line up by index (same seeds on every machine), each test comes from the one shard that ran it,
 * and everything derived (infrastructure runs, classifications, intervals) is derived again over
 * the union, so the result is the report one machine running every test would have written.
 */
export function mergeReports(reports: readonly FlakyReport[]): FlakyReport {
  const first = reports[0];
  if (!first) throw new QuiesceError('INVALID_OPTION', 'quiesce flaky merge: no report to merge');
  for (const r of reports) {
    if (r.summary.seed !== first.summary.seed)
      throw new QuiesceError(
        'INVALID_OPTION',
        `quiesce flaky merge: the reports come from different sessions (seeds ${first.summary.seed} and ${r.summary.seed}); shards must share one --seed`,
      );
    if (r.summary.targetRate !== first.summary.targetRate || r.summary.confidence !== first.summary.confidence) {
      throw new QuiesceError('INVALID_OPTION', 'quiesce flaky merge: the reports were made with different --target-rate or --confidence');
    }
  }
  const length = Math.max(...reports.map((r) => r.runs.length));
  const runs: RunRaw[] = [];
  for (let i = 0; i < length; i++) {
    const parts = reports.map((r) => r.runs[i]).filter((r): r is FlakyReport['runs'][number] => r !== undefined);
    const base = parts[0]!;
    runs.push({
      index: i,
      shuffleSeed: base.shuffleSeed,
      harnessSeed: base.harnessSeed,
      shuffled: parts.some((p) => p.shuffled),
      // The machines ran in parallel: the run took as long as its slowest shard.
      durationMs: Math.max(...parts.map((p) => p.durationMs)),
      error: parts.length === reports.length && parts.every((p) => p.error !== null) ? parts.map((p) => p.error).join('; ') : null,
      unhandled: parts.flatMap((p) => p.unhandled ?? []),
      order: Object.assign({}, ...parts.map((p) => p.order)) as Record<string, string[]>,
    });
  }
  const seen = new Set<string>();
  const tests: TestRaw[] = [];
  for (const report of reports) {
    for (const t of report.tests) {
      if (seen.has(t.id)) throw new QuiesceError('INVALID_OPTION', `quiesce flaky merge: test ${t.file} > ${t.name} is in two reports (merge each shard once)`);
      seen.add(t.id);
      tests.push({
        id: t.id,
        name: t.name,
        file: t.file,
        outcomes: t.outcomes.padEnd(length, '-'),
        failures: t.failures.map(({ replay: _replay, ...raw }) => raw),
        ...(t.load ? { load: t.load } : {}),
      });
    }
  }
  const signatures = new Map(
    reports.flatMap((r) => r.signatures.map(({ id, name, message, frames, example }) => [id, { id, name, message, frames, example }] as const)),
  );
  const raw: SessionRaw = {
    seed: first.summary.seed,
    shard: null,
    judging: { targetRate: first.summary.targetRate, confidence: first.summary.confidence },
    runs,
    tests,
    signatures: [...signatures.values()],
    bisections: reports.flatMap((r) => r.bisections),
    durationMs: Math.max(...reports.map((r) => r.summary.durationSeconds)) * 1000,
  };
  return buildFlakyReport(raw);
}

export function readReport(file: string): FlakyReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new QuiesceError('INVALID_OPTION', `quiesce flaky merge: ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const r = parsed as Partial<FlakyReport> | null;
  if (typeof r !== 'object' || r === null || r.version !== 1 || !Array.isArray(r.runs) || !Array.isArray(r.tests) || typeof r.summary !== 'object') {
    throw new QuiesceError('INVALID_OPTION', `quiesce flaky merge: ${file} is not a report of \`quiesce flaky --json\` (version 1)`);
  }
  return r as FlakyReport;
}
