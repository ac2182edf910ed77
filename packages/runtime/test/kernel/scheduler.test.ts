import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { QuiesceError, Runtime, Scheduler, fifo, replay, seededRandom, type Pid, type SchedulingPolicy } from '@quiesce/runtime';

/** A sequence of scheduler operations: enqueue a delivery on pair (from, to), or take the next one. */
type Op = { enqueue: [number, number] } | 'next';
const opsArb = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 2 })).map((pair) => ({ enqueue: pair }) as Op) },
    { weight: 1, arbitrary: fc.constant<Op>('next') },
  ),
  { maxLength: 60 },
);

/** Run ops on a scheduler, then drain it; returns the delivery order (as "from->to#n") and the token. */
function run(policy: SchedulingPolicy, ops: readonly Op[]): { order: string[]; token: string; sent: string[] } {
  const s = new Scheduler(policy);
  const order: string[] = [];
  const sent: string[] = [];
  let n = 0;
  const take = () => {
    const d = s.next();
    if (d) d.run();
    return d;
  };
  for (const op of ops) {
    if (op === 'next') take();
    else {
      const label = `p${op.enqueue[0]}->q${op.enqueue[1]}#${n++}`;
      sent.push(label);
      s.enqueue(`p${op.enqueue[0]}`, `q${op.enqueue[1]}`, () => order.push(label));
    }
  }
  while (take());
  expect(s.size).toBe(0);
  return { order, token: s.token(), sent };
}

const pairOf = (label: string) => label.slice(0, label.indexOf('#'));

describe('Scheduler', () => {
  test('FIFO runs deliveries in the order they were enqueued, across all pairs', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { order, token, sent } = run(fifo(), ops);
        expect(order).toEqual(sent);
        expect(token).toBe('');
        expect(fifo().choose([])).toBe(0);
      }),
    );
  });

  test('FIFO keeps its order past the queue compaction point', () => {
    const s = new Scheduler();
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) s.enqueue('a', 'b', () => out.push(i));
    for (let i = 0; i < 1500; i++) s.next()!.run();
    for (let i = 3000; i < 3100; i++) s.enqueue('c', 'b', () => out.push(i));
    expect(s.size).toBe(1600);
    for (let d = s.next(); d; d = s.next()) d.run();
    expect(out).toEqual(Array.from({ length: 3100 }, (_, i) => i));
    expect(s.next()).toBeUndefined();
  });

  test('seeded random keeps every pair in order and delivers everything exactly once (property)', () => {
    fc.assert(
      fc.property(opsArb, fc.integer({ min: 0, max: 0xffffffff }), (ops, seed) => {
        const { order, sent } = run(seededRandom(seed), ops);
        expect([...order].sort()).toEqual([...sent].sort());
        const pairs = new Set(sent.map(pairOf));
        for (const pair of pairs) {
          expect(order.filter((l) => pairOf(l) === pair)).toEqual(sent.filter((l) => pairOf(l) === pair));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('seeded random is reproducible from its seed and does interleave differently from FIFO', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 8; i++) for (let p = 0; p < 4; p++) ops.push({ enqueue: [p, 0] });
    const orders = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const a = run(seededRandom(seed), ops);
      const b = run(seededRandom(seed), ops);
      expect(b).toEqual(a);
      orders.add(a.order.join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
    expect(orders.has(run(fifo(), ops).order.join(','))).toBe(false);
  });

  test('replaying the token reproduces the same delivery order (property)', () => {
    fc.assert(
      fc.property(opsArb, fc.integer({ min: 0, max: 0xffffffff }), (ops, seed) => {
        const original = run(seededRandom(seed), ops);
        const replayed = run(replay(original.token), ops);
        expect(replayed.order).toEqual(original.order);
        expect(replayed.token).toBe(original.token);
      }),
      { numRuns: 300 },
    );
  });

  test('a token only records real decisions, and replay acts as FIFO past its end', () => {
    const s = new Scheduler(replay('1'));
    const out: string[] = [];
    s.enqueue('a', 'x', () => out.push('a1'));
    s.next()!.run(); // one ready: no decision
    expect(s.token()).toBe('');
    s.enqueue('a', 'x', () => out.push('a2'));
    s.enqueue('b', 'x', () => out.push('b1'));
    s.enqueue('c', 'x', () => out.push('c1'));
    s.next()!.run(); // decision 0: recorded 1 -> b1
    s.next()!.run(); // past the token: FIFO -> a2
    s.next()!.run();
    expect(out).toEqual(['a1', 'b1', 'a2', 'c1']);
    expect(s.token()).toBe('1.0');
  });

  test('a diverging token throws REPLAY_DIVERGED naming the decision', () => {
    const s = new Scheduler(replay('0.z'));
    for (const from of ['a', 'b', 'c']) s.enqueue(from, 'x', () => undefined);
    s.next();
    let error: unknown;
    try {
      s.next();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuiesceError);
    expect((error as QuiesceError).code).toBe('REPLAY_DIVERGED');
    expect((error as QuiesceError).message).toContain('decision 1');
    expect((error as QuiesceError).details).toMatchObject({ decision: 1, choice: 35, ready: 2 });
  });

  test('a malformed token is rejected with INVALID_OPTION; the empty token is valid', () => {
    for (const token of ['a..b', '-1', 'A', ' 1', '1.', '.']) {
      expect(() => replay(token)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(JSON.stringify(token)) }));
    }
    expect(() => new Runtime({ scheduler: { replay: 'x y' } })).toThrow(QuiesceError);
    expect(run(replay(''), [{ enqueue: [0, 0] }, { enqueue: [1, 0] }]).order).toEqual(['p0->q0#0', 'p1->q0#1']);
  });

  test('a custom policy chooses among the heads of the pair queues, oldest first', () => {
    const seen: string[][] = [];
    const newest: SchedulingPolicy = {
      name: 'newest',
      choose(ready) {
        seen.push(ready.map((d) => `${d.from}:${d.seq}`));
        return ready.length - 1;
      },
    };
    const { order } = run(newest, [{ enqueue: [0, 0] }, { enqueue: [0, 0] }, { enqueue: [1, 0] }, { enqueue: [2, 0] }]);
    expect(seen[0]).toEqual(['p0:0', 'p1:2', 'p2:3']);
    expect(order).toEqual(['p2->q0#3', 'p1->q0#2', 'p0->q0#0', 'p0->q0#1']);
  });
});

// ---------------------------------------------------------------- on a runtime

/** Three producers each send `n` messages to one collector; returns the order the collector saw. */
async function scenario(rt: Runtime, n = 6): Promise<string[]> {
  const seen: string[] = [];
  const collector = rt.spawn((m) => {
    seen.push(m as string);
  });
  const producers: Pid[] = ['a', 'b', 'c'].map((name) =>
    rt.spawn((m, ctx) => {
      if (m === 'go') for (let i = 0; i < n; i++) ctx.send(collector, `${name}${i}`);
    }),
  );
  for (const p of producers) rt.send(p, 'go');
  await rt.idle();
  return seen;
}

describe('scheduling on a runtime', () => {
  test('per-sender order holds under a random scheduler, and replay reproduces the run', async () => {
    const distinct = new Set<string>();
    for (let seed = 1; seed <= 5; seed++) {
      const rt = new Runtime({ clock: 'virtual', scheduler: { random: seed } });
      const seen = await scenario(rt);
      distinct.add(seen.join(','));
      for (const name of ['a', 'b', 'c']) expect(seen.filter((m) => m.startsWith(name))).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${name}${i}`));
      const token = rt.scheduler.token();
      expect(token).not.toBe('');
      const again = new Runtime({ clock: 'virtual', scheduler: { replay: token } });
      expect(await scenario(again)).toEqual(seen);
      expect(again.scheduler.token()).toBe(token);
    }
    expect(distinct.size).toBeGreaterThan(1);
  });

  test('the default scheduler is FIFO', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    expect(rt.scheduler.policy.name).toBe('fifo');
    const seen = await scenario(rt, 2);
    expect(seen).toEqual(['a0', 'a1', 'b0', 'b1', 'c0', 'c1']);
  });

  test('a policy object can be passed directly', async () => {
    const calls: number[] = [];
    const policy: SchedulingPolicy = {
      name: 'last',
      choose: (ready) => {
        calls.push(ready.length);
        return ready.length - 1;
      },
    };
    const rt = new Runtime({ clock: 'virtual', scheduler: policy });
    expect(rt.scheduler.policy).toBe(policy);
    await scenario(rt, 2);
    expect(calls.length).toBeGreaterThan(0);
  });
});

describe('a replay that diverges on a live runtime', () => {
  test('halts the runtime: idle() rejects with REPLAY_DIVERGED and the history records the fault', async () => {
    const rt = new Runtime({ clock: 'virtual', scheduler: { replay: 'z' } });
    const seen: string[] = [];
    const a = rt.spawn(() => void seen.push('a'));
    const b = rt.spawn(() => void seen.push('b'));
    rt.send(a, 'x');
    rt.send(b, 'x');
    await expect(rt.idle()).rejects.toMatchObject({ code: 'REPLAY_DIVERGED' });
    expect(seen).toEqual([]);
    expect(rt.history.ofKind('runtime.fault')).toHaveLength(1);
    expect((rt.fault as { code?: string }).code).toBe('REPLAY_DIVERGED');
    expect(rt.scheduler.size).toBe(2);
  });

  test('a fault in the middle of advance or runTimers ends it with the fault; time stops where it halted', async () => {
    const rt = new Runtime({ clock: 'virtual', scheduler: { replay: 'z' } });
    const a = rt.spawn(() => undefined);
    const b = rt.spawn(() => undefined);
    rt.setTimer(10, () => {
      rt.send(a, 'x');
      rt.send(b, 'x');
    });
    rt.setTimer(50, () => undefined);
    await expect(rt.advance(100)).rejects.toMatchObject({ code: 'REPLAY_DIVERGED' });
    expect(rt.now()).toBe(10);
    await expect(rt.runTimers()).rejects.toMatchObject({ code: 'REPLAY_DIVERGED' });
    expect(rt.now()).toBe(10);
  });
});

describe('SchedulingPolicy.observe', () => {
  test('sees every delivery taken, chosen or alone, in the order they run', () => {
    fc.assert(
      fc.property(opsArb, fc.nat(), (ops, seed) => {
        const observed: string[] = [];
        const random = seededRandom(seed);
        const policy: SchedulingPolicy = {
          name: 'observing',
          choose: (ready) => random.choose(ready),
          observe: (taken) => void observed.push(`${taken.from}->${taken.to}`),
        };
        const { order } = run(policy, ops);
        expect(observed).toEqual(order.map(pairOf));
      }),
    );
  });

  test('a policy without observe works as before', () => {
    const s = new Scheduler({ name: 'first', choose: () => 0 });
    const out: string[] = [];
    s.enqueue('a', 'b', () => out.push('ab'));
    s.enqueue('c', 'b', () => out.push('cb'));
    for (let d = s.next(); d; d = s.next()) d.run();
    expect(out).toEqual(['ab', 'cb']);
  });
});
