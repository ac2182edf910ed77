// Rows: shrinking failing fault schedules (`shrinkFaults` in @quiesce/chaos).
//
// 13   how much shrinking reduces a failing monkey run's fault schedule: actions before and after,
//      over the failing seeds among 1-30 of a planted bug that needs two faults (kill `a`, drop the
//      one message `a` sends `b` on restart), mixed with jobs and heals; against fast-check's own
//      shrinker given the same failing schedules (as the one example of an `fc.array` of steps:
//      fast-check's machinery where it would fit, shrinking by its arbitraries, knowing nothing of
//      what each run did).
// 13b  re-runs spent shrinking one failure, the same two sides.
import fc from 'fast-check';
import { monkey, shrinkFaults } from '../../packages/chaos/dist/bundle/index.js';
import { Runtime, startSupervisor, supervisor, worker } from '../../packages/runtime/dist/bundle/index.js';
import { median, now } from '../lib.mjs';

export const id = 'fault-shrink';

/** The planted pair on a bare runtime; the report of one monkey run (from the seed, or a schedule). */
async function pairRun(seed, schedule) {
  const rt = new Runtime({ clock: 'virtual', seed });
  const seen = { a: 0, jobs: 0 };
  const store = { count: 5 };
  const b = {
    init: () => ({ state: null }),
    handleCast: (m, state, ctx) => {
      ctx.send(m.sync, { synced: store.count });
      return { state };
    },
  };
  const a = {
    init: (_args, ctx) => {
      seen.a = 0;
      ctx.cast('b', { sync: ctx.self });
      return { state: 0 };
    },
    handleCast: (_job, count) => {
      seen.jobs++;
      store.count = count + 1;
      seen.a = count + 1;
      return { state: count + 1 };
    },
    handleInfo: (m, _count) => {
      seen.a = m.synced;
      return { state: seen.a };
    },
  };
  const pair = await startSupervisor(
    rt,
    supervisor({
      id: 'pair',
      intensity: 1000,
      period: 1,
      children: [worker('b', (ctx) => ctx.startServer(b, undefined, { name: 'b' })), worker('a', (ctx) => ctx.startServer(a, undefined, { name: 'a' }))],
    }),
  );
  const job = { name: 'job', enabled: () => rt.whereis('a') !== undefined, run: () => rt.cast('a', 'job') };
  const report = await monkey(rt, {
    target: pair,
    actions: [job],
    profile: { job: 8, kill: 1, drop: 1, heal: 2 },
    steps: 100,
    invariants: { 'a keeps its count': () => seen.a === 5 + seen.jobs || `a has ${seen.a}` },
    schedule,
  }).run();
  await rt.shutdown();
  return report;
}

const actionsIn = (steps) => steps.filter((s) => s.action !== 'none').length;

/** The failing seeds' schedules as the monkey found them. */
async function failures(seeds) {
  const found = [];
  for (const seed of seeds) {
    const report = await pairRun(seed);
    if (!report.ok) found.push({ seed, report });
  }
  return found;
}

async function quiesceSide(found) {
  const rows = [];
  for (const { seed, report } of found) {
    const t = now();
    const shrunk = await shrinkFaults((schedule) => pairRun(seed, schedule), report);
    rows.push({ before: actionsIn(report.schedule.steps), after: actionsIn(shrunk.minimal.steps), runs: shrunk.runs, ms: now() - t });
  }
  return rows;
}

/**
 * fast-check shrinks the same failing schedule, given as its one example, with its own shrinker
 * (an example is shrunk by its arbitrary without a shrink tree): every run is a re-run.
 */
async function peerSide(found) {
  const step = fc.record({
    action: fc.constantFrom('job', 'kill', 'drop', 'heal', 'none'),
    draws: fc.nat({ max: 0xffffffff }),
    gap: fc.integer({ min: 10, max: 500 }),
  });
  const rows = [];
  for (const { seed, report } of found) {
    const example = report.schedule.steps.map(({ action, draws, gap }) => ({ action, draws, gap }));
    let calls = 0;
    const t = now();
    const details = await fc.check(
      fc.asyncProperty(fc.array(step, { maxLength: 100 }), async (steps) => {
        calls++;
        return (await pairRun(seed, { seed, steps })).ok;
      }),
      { seed, numRuns: 1, examples: [[example]] },
    );
    if (!details.failed) throw new Error(`seed ${seed}: fast-check's example did not fail`);
    const replayed = await pairRun(seed, { seed, steps: details.counterexample[0] });
    rows.push({ before: actionsIn(report.schedule.steps), after: actionsIn(replayed.schedule.steps), runs: calls - 1, ms: now() - t });
  }
  return rows;
}

export async function measure() {
  const seeds = Array.from({ length: 30 }, (_, i) => i + 1);
  const found = await failures(seeds);
  const t = now();
  const q = await quiesceSide(found);
  const qMs = now() - t;
  const t2 = now();
  const p = await peerSide(found);
  const pMs = now() - t2;
  const m = (rows, key) => median(rows.map((r) => r[key]));
  const exact = q.filter((r) => r.after === 2).length;
  return [
    {
      id,
      measurement: 'failing fault schedule, shrunk (actions)',
      unit: 'actions',
      quiesce: m(q, 'after'),
      peer: m(p, 'after'),
      ratio: m(q, 'after') / m(p, 'after'),
      better: 'lower',
      samples: { quiesce: q.map((r) => r.after), peer: p.map((r) => r.after) },
      reading: `${m(q, 'before')} → ${m(q, 'after')} actions (fast-check: → ${m(p, 'after')})`,
      peerName: "fast-check's shrinker on the same failing schedules (each an fc.array example of steps)",
      note: `medians over the ${q.length} failing seeds of 1-30; ${exact} shrunk to exactly the 2 faults the bug needs (fast-check: ${p.filter((r) => r.after === 2).length}); ${(qMs / Math.max(1, q.length)).toFixed(0)} ms a shrink against ${(pMs / Math.max(1, p.length)).toFixed(0)} ms`,
    },
    {
      id: 'fault-shrink-runs',
      measurement: 're-runs spent shrinking one failing fault schedule',
      unit: 're-runs',
      quiesce: m(q, 'runs'),
      peer: m(p, 'runs'),
      ratio: m(q, 'runs') / m(p, 'runs'),
      better: 'lower',
      samples: { quiesce: q.map((r) => r.runs), peer: p.map((r) => r.runs) },
      peerName: "fast-check's runs after its first failure (its shrinking)",
      note: `shrinkFaults' default budget is 200 re-runs and 20 s; most re-runs in one shrink: ${Math.max(...q.map((r) => r.runs))}`,
    },
  ];
}
