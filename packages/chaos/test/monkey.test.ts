import { describe, expect } from 'vitest';
import { createTestSystem, test, type TestSystem } from '@quiesce/harness';
import { osProcess, supervisor, worker, type ServerBehaviour, type SupervisorRef } from '@quiesce/runtime';
import { CHAOS_KINDS, describeReport, FAULT_KINDS, FAULTY_CHILD, monkey, swarm, sweep, treeActions, type MonkeyAction } from '@quiesce/chaos';

// ---------------------------------------------------------------- planted bug 1: a safety bug

/** An account whose balance must never go down; the buggy one keeps it only in its process state. */
function accountTree(buggy: boolean) {
  const observed = { balance: 0, deposited: 0 };
  const disk = { balance: 0 };
  const account: ServerBehaviour<number> = {
    init: () => {
      const balance = buggy ? 0 : disk.balance;
      observed.balance = balance;
      return { state: balance };
    },
    handleCast: (_deposit, balance) => {
      disk.balance = balance + 1;
      observed.balance = balance + 1;
      return { state: balance + 1 };
    },
  };
  const spec = supervisor({
    id: 'bank',
    intensity: 1000,
    period: 1,
    children: [worker('account', (ctx) => ctx.startServer(account, undefined, { name: 'account' })), worker('audit', (ctx) => ctx.spawn(() => undefined))],
  });
  let highest = 0;
  const invariants = {
    'the balance never goes down': () => {
      if (observed.balance < highest) return `it went from ${highest} to ${observed.balance}`;
      highest = observed.balance;
      return true;
    },
  };
  return { spec, observed, invariants };
}

/** The client side of the bank: a custom action the monkey mixes with its faults. */
function deposit(system: TestSystem, observed: { deposited: number }): MonkeyAction {
  return {
    name: 'deposit',
    enabled: () => system.runtime.whereis('account') !== undefined,
    run: () => {
      observed.deposited++;
      system.runtime.cast('account', 'deposit');
    },
  };
}

async function bankRun(seed: number, buggy: boolean) {
  const system = createTestSystem({ testId: 'bank', seed, trapExits: true });
  const { spec, observed, invariants } = accountTree(buggy);
  const bank = await system.start(spec);
  const profile = { deposit: 5, kill: 1, crash: 1, hang: 1, heal: 2, delay: 1 };
  const m = monkey(system, { target: bank, actions: [deposit(system, observed)], steps: 60, invariants, profile });
  const report = await m.check();
  const history = system.history.toJSONLines();
  await system.teardown();
  return { report, history };
}

describe('the safety phase', () => {
  test('planted bug: an account that loses its balance on restart is caught by the invariant; the fixed one holds and converges', async () => {
    const buggy = await bankRun(3, true);
    expect(buggy.report.ok).toBe(false);
    expect(buggy.report.violation).toMatchObject({ invariant: 'the balance never goes down', message: expect.stringMatching(/^it went from \d+ to 0$/) });
    expect(buggy.report.liveness).toBeUndefined();
    expect(describeReport(buggy.report)).toMatch(/violation at step \d+/);
    const fixed = await bankRun(3, false);
    expect(fixed.report).toMatchObject({ ok: true, steps: 60, violation: undefined, liveness: { converged: true } });
  });

  test('the same seed replays the same run: byte-identical histories, faults and steps included', async () => {
    const a = await bankRun(21, false);
    const b = await bankRun(21, false);
    expect(b.history).toBe(a.history);
    expect(a.history).toContain(`"kind":"${CHAOS_KINDS.step}"`);
    expect(a.history).toContain('"kind":"fault.');
    expect((await bankRun(22, false)).history).not.toBe(a.history);
  });

  test('preconditions: a disabled action is never picked; with none enabled a step does nothing', async ({ system }) => {
    const ran: string[] = [];
    const never: MonkeyAction = { name: 'never', enabled: () => false, run: () => void ran.push('never') };
    const once: MonkeyAction = { name: 'once', enabled: () => !ran.includes('once'), run: () => void ran.push('once') };
    const report = await monkey(system, { actions: [never, once], steps: 5, gap: { min: 1, max: 1 } }).run();
    expect(ran).toEqual(['once']);
    expect(report.actions).toEqual({ once: 1 });
    expect(system.history.ofKind(CHAOS_KINDS.step).map((e) => e.data.action)).toEqual(['once', 'none', 'none', 'none', 'none']);
  });

  test('bounded in virtual time as well as in steps', async ({ system }) => {
    const report = await monkey(system, { actions: [{ name: 'noop', run: () => undefined }], steps: 1000, duration: 1000, gap: { min: 100, max: 200 } }).run();
    expect(report.elapsed).toBeGreaterThanOrEqual(1000);
    expect(report.elapsed).toBeLessThan(1200);
    expect(report.steps).toBeLessThan(11);
  });

  test('a system that fails under the monkey (a supervisor past its intensity) is a violation, not a crash of the run', async () => {
    const system = createTestSystem({ testId: 'past intensity' });
    const pool = await system.start(supervisor({ id: 'pool', intensity: 1, period: 5, children: [worker('w', (ctx) => ctx.spawn(() => undefined))] }));
    const report = await monkey(system, { target: pool, profile: { kill: 1 }, steps: 10, gap: { min: 1, max: 1 } }).run();
    expect(report.violation).toMatchObject({ step: 2, invariant: 'system', message: expect.stringContaining('linked to the test') });
    // The test's system saw the linked crash too: its teardown reports it, as for any test.
    await expect(system.teardown()).rejects.toThrow(/linked to the test/);
  });
});

// ---------------------------------------------------------------- planted bug 2: a liveness bug

/** A cache that refreshes from a db every second; on a timed-out refresh the buggy one gives up for good. */
function cacheTree(buggy: boolean) {
  const observed = { fresh: false };
  const db: ServerBehaviour<null> = { init: () => ({ state: null }), handleCall: () => ({ reply: 'rows', state: null }) };
  const cache: ServerBehaviour<null> = {
    init: (_args, ctx) => {
      ctx.send(ctx.self, 'refresh');
      return { state: null };
    },
    handleInfo: async (_message, state, ctx) => {
      try {
        await ctx.call('db', 'select', 200);
        observed.fresh = true;
        ctx.sendAfter(1000, 'refresh');
      } catch {
        observed.fresh = false;
        if (!buggy) ctx.sendAfter(500, 'refresh');
      }
      return { state };
    },
  };
  const spec = supervisor({
    id: 'app',
    children: [worker('db', (ctx) => ctx.startServer(db, undefined, { name: 'db' })), worker('cache', (ctx) => ctx.startServer(cache, undefined))],
  });
  return { spec, observed };
}

async function cacheRun(system: TestSystem, buggy: boolean) {
  const { spec, observed } = cacheTree(buggy);
  const app = await system.start(spec);
  // The fault: the db hangs for a while, then heals (only one hang at a time).
  let hang: { heal(): void; active: boolean } | undefined;
  const actions: MonkeyAction[] = [
    { name: 'hang_db', enabled: () => !hang?.active, run: ({ chaos }) => void (hang = chaos.hang('db')) },
    { name: 'heal_db', enabled: () => hang?.active === true, run: () => hang!.heal() },
  ];
  const liveness = { within: 5000, ready: () => observed.fresh };
  return monkey(system, { target: app, actions, profile: { hang_db: 1, heal_db: 1 }, steps: 6, gap: { min: 1500, max: 1500 }, liveness }).check();
}

describe('the liveness phase', () => {
  test('planted bug: a cache that gives up after a timed-out refresh never recovers once the fault heals; the fixed one converges', async ({ system }) => {
    const buggy = await cacheRun(system, true);
    expect(buggy.violation).toBeUndefined(); // no safety invariant sees it
    expect(buggy.liveness).toEqual({ converged: false, after: 5000, missing: ['ready() is false'] });
    const other = createTestSystem({ testId: 'fixed cache', seed: system.seed });
    const fixed = await cacheRun(other, false);
    expect(fixed.ok).toBe(true);
    expect(fixed.liveness!.after).toBeLessThanOrEqual(500);
    await other.teardown();
  });

  test('convergence means every permanent child running: a killed worker must be back', async ({ system }) => {
    const children = [worker('w1', (ctx) => ctx.spawn(() => undefined)), worker('t', (ctx) => ctx.spawn(() => undefined), { restart: 'temporary' })];
    const pool = await system.start(supervisor({ id: 'pool', intensity: 10, children }));
    const m = monkey(system, { target: pool, profile: { kill: 1 }, steps: 3, gap: { min: 0, max: 0 } });
    await m.run();
    expect(await m.heal()).toEqual({ converged: true, after: 0, missing: [] });
  });
});

// ---------------------------------------------------------------- swarm profiles

describe('swarm profiles', () => {
  test('each seed draws its own mix: actions left out, weights differ, all from the seed and recorded', async () => {
    const profiles: Array<Record<string, number>> = [];
    for (let seed = 1; seed <= 30; seed++) {
      const system = createTestSystem({ testId: 'swarm', seed });
      const pool = await system.start(supervisor({ id: 'pool', children: [worker('w', (ctx) => ctx.spawn(() => undefined))] }));
      const m = monkey(system, { target: pool, profile: swarm() });
      profiles.push({ ...m.profile });
      expect(system.history.ofKind(CHAOS_KINDS.profile)[0]!.data).toEqual({ weights: m.profile });
      await system.teardown();
    }
    const names = treeActions(undefined as never).map((a) => a.name);
    const keys = profiles.map((p) => Object.keys(p).sort().join(','));
    expect(new Set(keys).size).toBeGreaterThan(10);
    for (const name of names) {
      expect(
        profiles.some((p) => name in p),
        `${name} in some mix`,
      ).toBe(true);
      expect(
        profiles.some((p) => !(name in p)),
        `${name} left out of some mix`,
      ).toBe(true);
    }
    expect(profiles.every((p) => Object.keys(p).length > 0)).toBe(true);
  });
});

// ---------------------------------------------------------------- sweeps

describe('seed sweeps', () => {
  test('a sweep reports the failing seeds with their replay commands; replaying one fails the same way', async () => {
    const scenario = async ({ seed }: { seed: number }) => (await bankRun(seed, true)).report;
    const report = await sweep(scenario, { seeds: 8, replay: (seed) => `QUIESCE_BANK_SEED=${seed} npx vitest run monkey.test.ts` });
    expect(report.ok).toBe(false);
    expect(report.failures.length).toBeGreaterThan(0);
    const first = report.failures[0]!;
    expect(first.replay).toBe(`QUIESCE_BANK_SEED=${first.seed} npx vitest run monkey.test.ts`);
    expect(report.summary()).toContain(`seed ${first.seed} failed: seed ${first.seed}:`);
    const again = await sweep(scenario, { seeds: [first.seed] });
    expect(again.failures[0]!.error).toBe(first.error);
    expect((await sweep(async ({ seed }) => (await bankRun(seed, false)).report, { seeds: 8 })).ok).toBe(true);
  });

  test('"sometimes" paths: a sweep fails when a declared path was never reached', async () => {
    const scenario = async ({ seed, reach }: { seed: number; reach: (label: string) => void }) => {
      const { report, history } = await bankRun(seed, false);
      if (history.includes('"kind":"child.restart"')) reach('a restart under the monkey');
      return report;
    };
    const report = await sweep(scenario, { seeds: 4, sometimes: ['a restart under the monkey', 'the account overdrawn'] });
    expect(report.reached['a restart under the monkey']).toBeGreaterThan(0);
    expect(report.unreached).toEqual(['the account overdrawn']);
    expect(report.ok).toBe(false);
    expect(report.summary()).toContain('never reached: the account overdrawn');
  });
});

// ---------------------------------------------------------------- OS processes

describe('a monkey over OS processes', () => {
  test('a supervised pool of OS workers, killed and crashed by the monkey, converges', async ({ system }) => {
    const child = (id: string) => osProcess(id, { command: process.execPath, args: [FAULTY_CHILD], ready: /^ready$/ });
    const pool: SupervisorRef = await system.start(supervisor({ id: 'os-pool', intensity: 50, period: 5, children: [child('a'), child('b')] }));
    const options = { target: pool, profile: { kill: 1, crash: 1 }, steps: 4, gap: { min: 5, max: 20 }, liveness: { within: 10_000 } };
    const report = await monkey(system, options).check();
    expect(report.ok).toBe(true);
    // A step finds no running worker while both restart (the precondition): at most one fault per step.
    const faults = (report.faults[FAULT_KINDS.kill] ?? 0) + (report.faults[FAULT_KINDS.exit] ?? 0);
    expect(faults).toBeGreaterThan(0);
    expect(faults).toBeLessThanOrEqual(4);
    expect(system.history.ofKind('os.exit').length).toBeGreaterThan(0);
  });

  test('pause, resume, SIGTERM and SIGKILL over spawned programs; preconditions keep resume for paused ones', async ({ system }) => {
    const procs = await Promise.all([0, 1].map(() => system.spawn(process.execPath, [FAULTY_CHILD], { ready: /^ready$/ })));
    const report = await monkey(system, { target: procs, profile: { os_pause: 3, os_resume: 3, os_term: 1 }, steps: 6, gap: { min: 1, max: 5 } }).run();
    expect(report.ok).toBe(true);
    const signals = system.history.ofKind(FAULT_KINDS.osSignal).map((e) => e.data.signal);
    expect(signals.length).toBeGreaterThan(0);
    // A resume is only ever sent to a paused program: every SIGCONT follows a SIGSTOP of the same pid.
    const stopped = new Set<number>();
    for (const e of system.history.ofKind(FAULT_KINDS.osSignal)) {
      const { pid, signal } = e.data as { pid: number; signal: string };
      if (signal === 'SIGSTOP') stopped.add(pid);
      if (signal === 'SIGCONT') expect(stopped.delete(pid)).toBe(true);
    }
  });
});
