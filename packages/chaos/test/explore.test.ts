// The explorer's proofs: a planted race (a read-modify-write across two messages, see
// support/counter-race.ts) found by PCT within the runs its probability bound predicts, by random
// orders and by exhaustive enumeration, whose partial-order reduction explores strictly fewer
// schedules than plain enumeration and reaches the same outcomes; fixed in the test's own code,
// the same seeds pass. Every failure replays, 100 times out of 100, byte for byte, and shrinks.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { QuiesceError, type Pid, type Runtime } from '@quiesce/runtime';
import { chaos, explore } from '@quiesce/chaos';
import { counterRace } from './support/counter-race.js';

const buggy = counterRace({ hops: 3 });
const fixed = counterRace({ hops: 3, fixed: true });
/** Failure probability δ the PCT runs are sized for: ln(1/δ)/p runs miss a bug of probability ≥ p at most δ of the time. */
const SAFETY = Math.ceil(Math.log(1000));

describe('PCT', () => {
  test.each([1, 2, 3, 4, 5])('finds the planted race within ln(1000) × its bound runs (seed %i); the fix passes the same runs', async (seed) => {
    const report = await explore(buggy, { strategy: 'pct', depth: 2, runs: 10_000, seed, shrink: false });
    expect(report.ok).toBe(false);
    const bound = report.pct!;
    expect(bound.d).toBe(2);
    expect(bound.probability).toBeCloseTo(1 / (bound.n * bound.k), 12);
    expect(report.failure!.run).toBeLessThanOrEqual(SAFETY * bound.expectedRuns);
    expect(report.failure!.message).toBe('lost update: the counter is 1 after two increments');

    const runs = Math.ceil(SAFETY * bound.expectedRuns);
    const after = await explore(fixed, { strategy: 'pct', depth: 2, runs, seed });
    expect(after.ok).toBe(true);
    expect(after.schedules).toBe(runs);
  });

  test('depth 1 has no change point: its bound is 1/n', async () => {
    const report = await explore(fixed, { strategy: 'pct', depth: 1, runs: 20 });
    expect(report.pct).toMatchObject({ d: 1, expectedRuns: report.pct!.n });
  });
});

describe('random orders', () => {
  test('find the race; the fix passes the same seeds', async () => {
    const report = await explore(buggy, { strategy: 'random', runs: 2000, seed: 7, shrink: false });
    expect(report.ok).toBe(false);
    const after = await explore(fixed, { strategy: 'random', runs: 2000, seed: 7 });
    expect(after).toMatchObject({ ok: true, schedules: 2000, failures: 0 });
  });

  test('the same options explore the same schedules: the report is the same', async () => {
    const a = await explore(buggy, { strategy: 'random', runs: 500, seed: 11 });
    const b = await explore(buggy, { strategy: 'random', runs: 500, seed: 11 });
    expect(b.summary()).toBe(a.summary());
  });
});

describe('exhaustive', () => {
  const smallFixed = counterRace({ hops: 1, fixed: true });

  test('finds the race, with and without partial-order reduction; with it, after strictly fewer schedules', async () => {
    const por = await explore(buggy, { strategy: 'exhaustive', shrink: false });
    const plain = await explore(buggy, { strategy: 'exhaustive', reduction: 'none', shrink: false });
    expect(por.failure?.message).toBe('lost update: the counter is 1 after two increments');
    expect(plain.failure?.message).toBe(por.failure?.message);
    expect(por.schedules + por.redundant).toBeLessThan(plain.schedules);
    for (const report of [por, plain]) expect((await explore.replay(fixed, report.failure!.token)).failed).toBe(false);
  });

  test('the fix: every schedule within the bound passes, and sleep sets explore strictly fewer than plain enumeration', async () => {
    const por = await explore(smallFixed, { strategy: 'exhaustive' });
    const plain = await explore(smallFixed, { strategy: 'exhaustive', reduction: 'none' });
    expect(por).toMatchObject({ ok: true, complete: true });
    expect(plain).toMatchObject({ ok: true, complete: true, redundant: 0 });
    expect(por.schedules).toBeLessThan(plain.schedules);
    expect(por.schedules + por.redundant).toBeLessThan(plain.schedules);
  });

  test.each([
    { hops: 0, fixed: false },
    { hops: 1, fixed: false },
    { hops: 0, fixed: true },
    { hops: 1, fixed: true },
  ])('sleep sets reach every outcome plain enumeration reaches: the counter sees the same message orders (%o)', async (race) => {
    const outcomes = async (reduction: 'sleep-sets' | 'none'): Promise<string[]> => {
      const seen = new Set<string>();
      const scenario = counterRace({ ...race, log: (counterLog) => seen.add(counterLog.join(' ')) });
      await explore(scenario, { strategy: 'exhaustive', reduction, keepGoing: true, shrink: false });
      return [...seen].sort();
    };
    const plain = await outcomes('none');
    expect(plain.length).toBeGreaterThan(1);
    expect(await outcomes('sleep-sets')).toEqual(plain);
  });

  test('on random message-passing programs, sleep sets reach exactly the local histories plain enumeration reaches', async () => {
    // Three processes; each message carries a time to live; on receipt a process logs it and, while
    // it lives, passes it on to the target its program names for that ttl.
    const program = fc.record({
      targets: fc.array(fc.array(fc.nat({ max: 2 }), { minLength: 3, maxLength: 3 }), { minLength: 3, maxLength: 3 }),
      starts: fc.array(fc.record({ to: fc.nat({ max: 2 }), ttl: fc.nat({ max: 2 }) }), { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(program, async ({ targets, starts }) => {
        const outcomes = async (reduction: 'sleep-sets' | 'none'): Promise<string[]> => {
          const seen = new Set<string>();
          const scenario = async (rt: Runtime): Promise<void> => {
            const logs: string[][] = [[], [], []];
            const pids: Pid[] = [];
            for (let i = 0; i < 3; i++) {
              pids.push(
                rt.spawn((message, ctx) => {
                  const m = message as { id: string; ttl: number };
                  logs[i]!.push(m.id);
                  if (m.ttl > 0) ctx.send(pids[targets[i]![m.ttl]!]!, { id: `${m.id}>${i}`, ttl: m.ttl - 1 });
                }),
              );
            }
            for (const [n, start] of starts.entries()) rt.send(pids[start.to]!, { id: `s${n}`, ttl: start.ttl });
            await rt.idle();
            seen.add(logs.map((log) => log.join(',')).join(' | '));
          };
          const report = await explore(scenario, { strategy: 'exhaustive', reduction });
          expect(report.complete).toBe(true);
          return [...seen].sort();
        };
        expect(await outcomes('sleep-sets')).toEqual(await outcomes('none'));
      }),
      { numRuns: 25, seed: 42 },
    );
  });

  test('a preemption bound of 0 explores fewer schedules than 2, and none (the default) at least as many', async () => {
    const count = async (preemptionBound: number) =>
      (await explore(counterRace({ hops: 1, fixed: true }), { strategy: 'exhaustive', preemptionBound, reduction: 'none' })).schedules;
    const [zero, two, all] = [await count(0), await count(2), await count(Number.POSITIVE_INFINITY)];
    expect(zero).toBeLessThan(two);
    expect(all).toBeGreaterThanOrEqual(two);
  });

  test('runs caps the enumeration: complete is false', async () => {
    const report = await explore(smallFixed, { strategy: 'exhaustive', reduction: 'none', runs: 5 });
    expect(report).toMatchObject({ ok: true, schedules: 5, complete: false });
  });

  test('a scenario that is not deterministic is refused with REPLAY_DIVERGED', async () => {
    let calls = 0;
    const flaky = async (rt: Runtime): Promise<void> => {
      calls++;
      const pids = Array.from({ length: calls % 2 === 0 ? 2 : 3 }, () => rt.spawn(() => undefined));
      for (const pid of pids) rt.send(pid, 'x');
      await rt.idle();
    };
    await expect(explore(flaky, { strategy: 'exhaustive' })).rejects.toMatchObject({ code: 'REPLAY_DIVERGED' });
  });
});

describe('replay tokens', () => {
  test('a failure replays 100 times out of 100: the same failure, a byte-identical history', async () => {
    const report = await explore(buggy, { strategy: 'random', runs: 2000, seed: 3 });
    const token = report.failure!.token;
    expect(token).toMatch(/^q1:3:/);
    const first = await explore.replay(buggy, token);
    expect(first.failed).toBe(true);
    for (let i = 0; i < 100; i++) {
      const again = await explore.replay(buggy, token);
      expect(again.message).toBe(first.message);
      expect(again.history).toBe(first.history);
    }
    expect(first.message).toBe(report.failure!.message);
  });

  test('the original, unshrunk schedule replays too; the fix passes it', async () => {
    const report = await explore(buggy, { strategy: 'pct', runs: 2000, seed: 2 });
    const original = await explore.replay(buggy, report.failure!.original.token);
    expect(original.failed).toBe(true);
    expect((await explore.replay(fixed, report.failure!.token)).failed).toBe(false);
  });

  test('a token whose choices do not fit the scenario is REPLAY_DIVERGED; a malformed one INVALID_OPTION', async () => {
    await expect(explore.replay(buggy, 'q1:0:9.9.9.9')).rejects.toMatchObject({ code: 'REPLAY_DIVERGED' });
    expect(() => explore.replay(buggy, 'nope')).toThrow(/explore\.replay\(token\)/);
  });
});

describe('faults inside a scenario', () => {
  test('runtime faults armed with chaos(runtime) draw from the run seed: a failure with faults replays byte for byte', async () => {
    const scenario = async (rt: Runtime): Promise<true | string> => {
      const got: string[] = [];
      const sink = rt.spawn((m) => void got.push(m as string), { name: 'sink' });
      const a = rt.spawn((m, ctx) => ctx.send(sink, m), { name: 'a' });
      const b = rt.spawn((m, ctx) => ctx.send(sink, m), { name: 'b' });
      const c = chaos(rt);
      c.duplicate(a, sink, { rate: 0.5 });
      for (const m of ['a1', 'a2']) rt.send(a, m);
      rt.send(b, 'b1');
      await rt.idle();
      c.dispose();
      return !(got[0] === 'b1' && got.length > 3) || `b1 overtook a duplicated message: ${got.join(' ')}`;
    };
    const report = await explore(scenario, { strategy: 'random', runs: 500, seed: 2 });
    expect(report.failure?.message).toMatch(/^b1 overtook a duplicated message/);
    const first = await explore.replay(scenario, report.failure!.token);
    expect(first.history).toContain('"kind":"fault.duplicate"');
    for (let i = 0; i < 20; i++) expect((await explore.replay(scenario, report.failure!.token)).history).toBe(first.history);
  });
});

describe('shrinking', () => {
  test('a failing schedule shrinks to a smaller one that still fails, printed as a timeline', async () => {
    const report = await explore(buggy, { strategy: 'random', runs: 2000, seed: 5 });
    const { original, minimal, timeline } = report.failure!;
    expect(minimal.deviations).toBeLessThanOrEqual(original.deviations);
    expect(minimal.deviations < original.deviations || minimal.length < original.length).toBe(true);
    expect((await explore.replay(buggy, minimal.token)).failed).toBe(true);
    expect(timeline).toContain('◆ choice');
    expect(timeline).toContain('client-b → counter');
    expect(timeline).toMatch(/message\.send +client-a/);
    expect(report.summary()).toContain(`explore.replay(scenario, '${minimal.token}')`);
  });

  test('assertOk throws the summary, timeline included, when a run failed; passes quietly otherwise', async () => {
    const report = await explore(buggy, { strategy: 'random', runs: 2000, seed: 5 });
    expect(() => report.assertOk()).toThrow(expect.objectContaining({ code: 'PROPERTY_FAILED', message: report.summary() }));
    (await explore(fixed, { strategy: 'random', runs: 50, seed: 5 })).assertOk();
  });

  test('shrink: false keeps the original schedule', async () => {
    const report = await explore(buggy, { strategy: 'random', runs: 2000, seed: 5, shrink: false });
    expect(report.failure!.minimal).toEqual(report.failure!.original);
    expect(report.failure!.shrinkRuns).toBe(0);
  });
});

describe('what counts as a failure', () => {
  test('a check on the history; sleep sets take deliveries to two processes for independent, whatever their order in the history', async () => {
    const scenario = async (rt: Runtime): Promise<void> => {
      const a = rt.spawn((m, ctx) => void rt.record('test.got', ctx.self.toString(), { m }));
      const b = rt.spawn((m, ctx) => void rt.record('test.got', ctx.self.toString(), { m }));
      rt.send(a, 1);
      rt.send(b, 2);
      await rt.idle();
    };
    const check = (rt: Runtime) => (rt.history.ofKind('test.got')[0]?.data as { m: number } | undefined)?.m === 1 || 'b went first';
    const plain = await explore(scenario, { strategy: 'exhaustive', reduction: 'none', check });
    expect(plain.failure?.message).toBe('b went first');
    const reduced = await explore(scenario, { strategy: 'exhaustive', check });
    expect(reduced).toMatchObject({ ok: true, complete: true, schedules: 1 });
  });

  test('a scenario that waits for what cannot happen is stuck; a call timing out moves the virtual clock', async () => {
    const stuck = await explore(
      async (rt) => {
        const silent = rt.spawn(() => undefined);
        await rt.call(silent, 'hello', 'infinity');
      },
      { strategy: 'random', runs: 3 },
    );
    expect(stuck.failure?.message).toMatch(/cannot happen/);
    const timedOut = await explore(
      async (rt) => {
        const silent = rt.spawn(() => undefined);
        await expect(rt.call(silent, 'hello', 1000)).rejects.toMatchObject({ code: 'CALL_TIMEOUT' });
        return rt.now() === 1000;
      },
      { strategy: 'random', runs: 3 },
    );
    expect(timedOut.ok).toBe(true);
  });

  test('a scenario that drives time itself: the clock stops where it says', async () => {
    const report = await explore(
      async (rt) => {
        const ticker = rt.spawn((_m, ctx) => void ctx.sendAfter(100, 'tick'));
        rt.send(ticker, 'tick');
        const other = rt.spawn(() => undefined);
        rt.send(other, 'x');
        await rt.advance(1000);
        const at = rt.now();
        await rt.advance(550);
        return (at === 1000 && rt.now() === 1550) || `the clock overshot: ${at}, then ${rt.now()}`;
      },
      { strategy: 'random', runs: 20 },
    );
    expect(report.failure?.message).toBeUndefined();
  });

  test('a livelock runs into maxSteps', async () => {
    const report = await explore(
      async (rt) => {
        const a = rt.spawn((_m, ctx) => ctx.send(ctx.self, 'again'));
        rt.spawn(() => undefined);
        rt.send(a, 'go');
        await rt.idle();
      },
      { strategy: 'random', runs: 2, maxSteps: 500 },
    );
    expect(report.failure?.message).toMatch(/did not settle within 500 deliveries/);
  });

  test('a scenario that throws, or returns false', async () => {
    const threw = await explore(
      () => {
        throw new Error('boom');
      },
      { strategy: 'random', runs: 1 },
    );
    expect(threw.failure?.message).toBe('the scenario threw Error: boom');
    expect(threw.failure?.error).toBeInstanceOf(Error);
    const no = await explore(() => false, { strategy: 'pct', runs: 1 });
    expect(no.failure?.message).toBe('the scenario returned false');
  });

  test('bad input throws before anything runs', () => {
    let ran = false;
    const scenario = (): void => void (ran = true);
    expect(() => explore(scenario, { strategy: 'dfs' as never })).toThrow(QuiesceError);
    expect(() => explore('nope' as never, { strategy: 'pct' })).toThrow(/explore\(scenario\)/);
    expect(ran).toBe(false);
  });
});
