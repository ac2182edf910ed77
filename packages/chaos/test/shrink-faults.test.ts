import { describe, expect } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { supervisor, worker, type Pid, type ServerBehaviour } from '@quiesce/runtime';
import { CHAOS_KINDS, monkey, shrinkFaults, sweep, type FaultSchedule, type MonkeyAction } from '@quiesce/chaos';

// ---------------------------------------------------------------- the planted bug: it needs two faults

/**
 * A counter `a` whose durable copy lives with `b`. On every start `a` asks `b` for the count
 * (one message); the buggy `a` never asks again, so it loses its state only when it is killed
 * AND that one message to `b` is dropped. Neither fault alone breaks it.
 */
function replicatedCounter(buggy: boolean) {
  const seen = { a: 0, jobs: 0 };
  const store = { count: 5 }; // b's disk: the count before the test
  const b: ServerBehaviour<null> = {
    init: () => ({ state: null }),
    handleCast: (m, state, ctx) => {
      ctx.send((m as { sync: Pid }).sync, { synced: store.count });
      return { state };
    },
  };
  const a: ServerBehaviour<number> = {
    init: (_args, ctx) => {
      seen.a = 0;
      ctx.cast('b', { sync: ctx.self });
      if (!buggy) ctx.sendAfter(100, 'resync'); // the fix: ask again until the answer comes
      return { state: 0 };
    },
    handleCast: (_job, count) => {
      seen.jobs++;
      store.count = count + 1;
      seen.a = count + 1;
      return { state: count + 1 };
    },
    handleInfo: (m, count, ctx) => {
      if (m === 'resync') {
        if (seen.a !== store.count) {
          ctx.cast('b', { sync: ctx.self });
          ctx.sendAfter(100, 'resync');
        }
        return { state: count };
      }
      seen.a = (m as { synced: number }).synced;
      return { state: seen.a };
    },
  };
  const spec = supervisor({
    id: 'pair',
    intensity: 1000,
    period: 1,
    children: [worker('b', (ctx) => ctx.startServer(b, undefined, { name: 'b' })), worker('a', (ctx) => ctx.startServer(a, undefined, { name: 'a' }))],
  });
  const invariants = { 'a keeps its count': () => seen.a === 5 + seen.jobs || `a has ${seen.a}, it should have ${5 + seen.jobs}` };
  return { spec, invariants };
}

/** The whole scenario from a fresh system: the monkey's faults mixed with jobs for `a`. */
async function pairRun(seed: number, options: { buggy?: boolean; schedule?: FaultSchedule | string } = {}) {
  const system = createTestSystem({ testId: 'pair', seed, trapExits: true });
  const { spec, invariants } = replicatedCounter(options.buggy ?? true);
  const pair = await system.start(spec);
  const job: MonkeyAction = { name: 'job', enabled: () => system.runtime.whereis('a') !== undefined, run: () => system.runtime.cast('a', 'job') };
  const report = await monkey(system, {
    target: pair,
    actions: [job],
    profile: { job: 8, kill: 1, drop: 1, heal: 2 },
    steps: 100,
    invariants,
    liveness: { within: 2000 },
    schedule: options.schedule,
  }).check();
  const history = system.history.toJSONLines();
  await system.teardown();
  return { report, history };
}

/** The seed whose monkey first breaks the pair after 67 actions (a search over seeds 1-40 picked it). */
const SEED = 8;

describe('shrinking a failing fault schedule', () => {
  test('planted bug: found after 30+ actions, shrunk to exactly the kill of a and the drop of a message to b; the fixed pair holds the same schedule', async () => {
    const { report } = await pairRun(SEED);
    expect(report.ok).toBe(false);
    expect(report.violation).toMatchObject({ invariant: 'a keeps its count', message: expect.stringMatching(/^a has 0, it should have \d+$/) });
    expect(report.schedule.steps.length).toBeGreaterThanOrEqual(30);
    expect(report.schedule.steps.map((s) => s.step)).toEqual(report.schedule.steps.map((_, i) => i + 1));

    const shrunk = await shrinkFaults(async (schedule) => (await pairRun(SEED, { schedule })).report, report);
    expect(shrunk.failure).toBe("the invariant 'a keeps its count'");
    expect(shrunk.complete).toBe(true);
    expect(shrunk.runs).toBeLessThanOrEqual(200);
    const minimal = shrunk.minimal.steps.map((s) => `${s.action} ${s.detail}`);
    expect(minimal).toHaveLength(2);
    expect(minimal).toEqual(expect.arrayContaining(['kill pair/a', expect.stringMatching(/^drop \d to pair\/b$/)]));
    expect(shrunk.original).toBe(report.schedule);
    // The readable timeline: virtual time, action, target, then the violation.
    expect(shrunk.timeline).toMatch(
      /^ {2}at +\d+ ms {2}(kill|drop) +.*pair\/[ab]\n {2}at +\d+ ms {2}(kill|drop) +.*pair\/[ab]\n {2}✗ the invariant 'a keeps its count' failed at \d+ ms: a has 0/,
    );
    expect(shrunk.summary()).toContain(
      `fault schedule shrunk from ${report.schedule.steps.length} actions to 2 actions (${shrunk.runs} re-runs), seed ${SEED}:`,
    );
    expect(shrunk.summary()).toContain(`schedule: '${shrunk.token}'`);

    const fixed = await pairRun(SEED, { buggy: false, schedule: shrunk.token });
    expect(fixed.report.ok).toBe(true);
    expect(fixed.report.schedule.steps).toHaveLength(2);
  });

  test('the shrunk schedule replays 100 times out of 100: the same violation, byte-identical histories', async () => {
    const { report } = await pairRun(SEED);
    const shrunk = await shrinkFaults(async (schedule) => (await pairRun(SEED, { schedule })).report, report);
    const first = await pairRun(SEED, { schedule: shrunk.token });
    expect(first.report.violation).toEqual(shrunk.report.violation);
    expect(first.history).toContain(`"kind":"${CHAOS_KINDS.violation}"`);
    for (let i = 0; i < 100; i++) {
      const again = await pairRun(SEED, { schedule: shrunk.token });
      expect(again.history).toBe(first.history);
    }
  });

  test('a liveness failure shrinks too, and stays a liveness failure', async () => {
    const run = async (schedule?: FaultSchedule) => {
      const system = createTestSystem({ testId: 'pair liveness', seed: SEED, trapExits: true });
      const { spec, invariants } = replicatedCounter(true);
      const pair = await system.start(spec);
      const ready = () => invariants['a keeps its count']() === true;
      const report = await monkey(system, {
        target: pair,
        profile: { kill: 1, drop: 1, heal: 2 },
        steps: 40,
        liveness: { within: 1000, ready },
        schedule,
      }).check();
      await system.teardown();
      return report;
    };
    const report = await run();
    expect(report.violation).toBeUndefined();
    expect(report.liveness?.converged).toBe(false);
    const shrunk = await shrinkFaults(run, report);
    expect(shrunk.failure).toBe('the liveness phase');
    expect(shrunk.minimal.steps.map((s) => s.action).sort()).toEqual(['drop', 'kill']);
    expect(shrunk.timeline).toContain('✗ the liveness phase failed (1000 ms after the heal): ready() is false');
  });

  test('bounded: a budget of 3 re-runs stops early and says so', async () => {
    const { report } = await pairRun(SEED);
    let reruns = 0;
    const shrunk = await shrinkFaults(
      async (schedule) => {
        reruns++;
        return (await pairRun(SEED, { schedule })).report;
      },
      report,
      { runs: 3 },
    );
    expect(reruns).toBe(3);
    expect(shrunk).toMatchObject({ runs: 3, complete: false });
    expect(shrunk.summary()).toContain('cut short by its budget');
  });

  test('a rerun that ignores the schedule it is given is refused at its first re-run, naming shrinkFaults(rerun)', async () => {
    const { report } = await pairRun(SEED);
    let reruns = 0;
    const ignoring = async () => {
      reruns++;
      return (await pairRun(SEED)).report;
    };
    await expect(shrinkFaults(ignoring, report)).rejects.toThrow(/^shrinkFaults\(rerun\): got .*; expected a function that passes the schedule it is given/);
    expect(reruns).toBe(1);
  });

  test('a step whose action is not enabled when its turn comes is skipped; a schedule from another seed is refused', async ({ system }) => {
    const ran: string[] = [];
    const once: MonkeyAction = { name: 'once', enabled: () => !ran.includes('once'), run: () => void ran.push('once') };
    const steps = [
      { action: 'once', draws: 1, gap: 5 },
      { action: 'once', draws: 2, gap: 5 },
      { action: 'none', draws: 'lowest' as const, gap: 7 },
    ];
    const report = await monkey(system, { actions: [once], schedule: { seed: system.seed, steps } }).run();
    expect(ran).toEqual(['once']);
    expect(report).toMatchObject({ steps: 2, skipped: 1, elapsed: 12 });
    expect(report.schedule.steps.map((s) => s.action)).toEqual(['once', 'none']);
    expect(() => monkey(system, { actions: [once], schedule: { seed: system.seed + 1, steps } })).toThrow(
      /monkey options\.schedule\.seed: got \d+; expected the seed of this monkey's system/,
    );
  });

  test('a sweep shrinks each failing seed by default and prints the minimal timeline with a replay that runs it', async () => {
    const scenario = async ({ seed, schedule }: { seed: number; schedule: FaultSchedule | string | undefined }) => (await pairRun(seed, { schedule })).report;
    const report = await sweep(scenario, { seeds: [7, 8, 11] });
    expect(report.failures.map((f) => f.seed)).toEqual([7, 8]);
    for (const f of report.failures) {
      expect(f.shrunk?.minimal.steps.map((s) => s.action).sort()).toEqual(['drop', 'kill']);
      expect(f.replay).toBe(`sweep(scenario, { seeds: [${f.seed}], schedule: '${f.shrunk?.token}' })`);
      expect(f.error).toContain('fault schedule shrunk from');
    }
    expect(report.summary()).toMatch(/seed 8 failed: seed 8: \d+ steps.*\n {2}minimal fault schedule \(\d+ re-runs\):\n {4}at +\d+ ms {2}\w+/);

    const again = await sweep(scenario, { seeds: [8], schedule: report.failures[1]!.shrunk!.token });
    expect(again.failures[0]?.shrunk).toBeUndefined(); // a given schedule is replayed, not shrunk again
    expect(again.failures[0]?.error).toMatch(/^seed 8: 2 steps/);

    const off = await sweep(scenario, { seeds: [8], shrink: false });
    expect(off.failures[0]?.shrunk).toBeUndefined();
    const ignoring = await sweep(async ({ seed }) => (await pairRun(seed)).report, { seeds: [8] });
    expect(ignoring.failures[0]?.shrunk).toBeUndefined(); // it never read ctx.schedule: nothing to shrink with
    const readOnly = await sweep(
      async (ctx) => {
        void ctx.schedule; // read, but not passed on to the monkey
        return (await pairRun(ctx.seed)).report;
      },
      { seeds: [8] },
    );
    expect(readOnly.failures[0]?.error).toMatch(/^seed 8: \d+ steps[\s\S]*\nnot shrunk: shrinkFaults\(rerun\)/);
  });
});
