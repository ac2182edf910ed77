import { describe, expect } from 'vitest';
import { createTestSystem, test, type TestSystem } from '@quiesce/harness';
import { supervisor, worker, type Pid, type ServerBehaviour } from '@quiesce/runtime';
import { enableFaultSites, FAULT_KINDS, injectFailures, maybeFault, monkey, runningWorkers, type MonkeyAction } from '@quiesce/chaos';

/** A worker that counts what it is sent and answers calls; its `tick` keeps a timer of its own going (skew acts on it). */
const counter: ServerBehaviour<number> = {
  init: (_args, ctx) => {
    ctx.sendAfter(40, 'tick');
    return { state: 0 };
  },
  handleCall: (request, _from, n) => ({ reply: request, state: n + 1 }),
  handleCast: (_message, n) => ({ state: n + 1 }),
  handleInfo: (_tick, n, ctx) => {
    ctx.sendAfter(40, 'tick');
    return { state: n + 1 };
  },
};

/** A process that forwards `{ to, message }`: traffic between two processes for the link faults. */
function forwarder(system: TestSystem): Pid {
  return system.runtime.spawn((m, ctx) => {
    const { to, message } = m as { to: Pid; message: unknown };
    if (ctx.runtime.isAlive(to)) ctx.send(to, message);
  });
}

/**
 * One seed's chaos run: a monkey with every fault kind that depends only on the seed — the tree's
 * kill, crash, hang, slow, drop, delay and heal, plus duplicate, reorder, a clock jump, a skew,
 * injected failures and a fault site. (HTTP, TCP, OS-process and container faults act on real I/O,
 * whose timing is the machine's: their draws come from the seed, their histories are not byte-stable.)
 */
async function chaosRun(seed: number): Promise<string> {
  const system = createTestSystem({ testId: 'determinism x100', seed, trapExits: true });
  const pool = await system.start(
    supervisor({
      id: 'pool',
      intensity: 1000,
      period: 1,
      children: ['w1', 'w2', 'w3'].map((id) => worker(id, (ctx) => ctx.startServer(counter, undefined))),
    }),
  );
  const from = forwarder(system);
  const sites = enableFaultSites(system, { force: { 'pool.flush': true }, fire: 0.4 });
  const store = injectFailures(async (n: number) => n, { rate: 0.4, types: ['throw', 'reject', 'timeout'], system, label: 'store', timeout: 50 });
  const workers = () => runningWorkers(pool);
  const actions: MonkeyAction[] = [
    {
      name: 'traffic',
      run: ({ random }) => {
        for (const w of workers()) system.send(from, { to: w.pid, message: random.int(100) });
        for (const w of workers()) void system.runtime.call(w.pid, 'ping', 200).catch(() => undefined);
        void store(random.int(10)).catch(() => undefined);
        sites.run(() => maybeFault('pool.flush'));
      },
    },
    {
      name: 'duplicate',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => void chaos.duplicate(from, random.pick(workers()).pid, { rate: 0.5, count: 2 }),
    },
    {
      name: 'reorder',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => void chaos.reorder('*', random.pick(workers()).pid, { count: 2 }),
    },
    { name: 'jump', run: ({ chaos, random }) => chaos.clockJump(random.between(10, 400)) },
    {
      name: 'skew',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => void chaos.skew(random.pick(workers()).pid, { factor: random.pick([0.5, 2, 3]) }),
    },
  ];
  const profile = { traffic: 4, kill: 1, crash: 1, hang: 1, slow: 1, drop: 1, delay: 1, heal: 2, duplicate: 1, reorder: 1, jump: 1, skew: 1 };
  await monkey(system, { target: pool, actions, profile, steps: 30, gap: { min: 5, max: 120 }, liveness: { within: 5000 } }).check();
  const lines = system.history.toJSONLines();
  await system.teardown();
  return lines;
}

describe('determinism', () => {
  test('a monkey with every seed-only fault kind, one seed run twice, 100 times: byte-identical histories 100 of 100', async () => {
    const kinds = new Set<string>();
    let identical = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const first = await chaosRun(seed);
      const second = await chaosRun(seed);
      if (second === first) identical++;
      else expect.soft(second, `seed ${seed}: the replay diverged`).toBe(first);
      for (const line of first.split('\n')) {
        const kind = /"kind":"(fault\.[a-z_]+)"/.exec(line)?.[1];
        if (kind) kinds.add(kind);
      }
    }
    expect(identical).toBe(100);
    // Every fault kind that depends only on the seed was in the histories compared.
    const expected = [
      'arm',
      'heal',
      'kill',
      'exit',
      'hang',
      'slow',
      'drop',
      'delay',
      'duplicate',
      'reorder',
      'clockJump',
      'clockSkew',
      'inject',
      'siteActive',
      'site',
    ] as const;
    expect([...kinds].sort()).toEqual(expect.arrayContaining(expected.map((k) => FAULT_KINDS[k])));
  });
});
