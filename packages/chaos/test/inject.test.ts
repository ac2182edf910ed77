import { describe, expect } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { Pid, Runtime, supervisor, serverChild, type ServerBehaviour, type SupervisorRef } from '@quiesce/runtime';
import { chaos, enableFaultSites, FAULT_KINDS, injectFailures, injectionsOf, InjectedFault, maybeFault } from '@quiesce/chaos';

/** Which of `n` calls failed, as a string of . and x. */
async function pattern(fn: () => Promise<unknown>, n: number): Promise<string> {
  let out = '';
  for (let i = 0; i < n; i++)
    out += await fn().then(
      () => '.',
      () => 'x',
    );
  return out;
}

describe('injectFailures', () => {
  test('a wrapped function fails the share of calls its rate says, the same calls for the same seed', async () => {
    const fetchUser = async (id: number): Promise<string> => `user ${id}`;
    const run = (seed: number) => {
      const wrapped = injectFailures(fetchUser, { rate: 0.5, seed });
      return pattern(() => wrapped(1), 64);
    };
    const first = await run(11);
    expect(await run(11)).toBe(first);
    expect(await run(12)).not.toBe(first);
    const failed = [...first].filter((c) => c === 'x').length;
    expect(failed).toBeGreaterThan(16);
    expect(failed).toBeLessThan(48);
  });

  test('an object keeps its this (private fields work); only the listed methods fail; fields pass through', async () => {
    class Client {
      readonly name = 'db';
      #secret = 42;
      async query(): Promise<number> {
        return this.#secret;
      }
      async ping(): Promise<string> {
        return 'pong';
      }
    }
    const client = injectFailures(new Client(), { rate: 1, types: ['reject'], seed: 1, methods: ['query'] });
    expect(client.name).toBe('db');
    expect(await client.ping()).toBe('pong');
    await expect(client.query()).rejects.toMatchObject({ name: 'InjectedFault', type: 'reject' });
    injectionsOf(client).heal();
    expect(await client.query()).toBe(42);
    expect(injectionsOf(client)).toMatchObject({ calls: 2, injected: [{ call: 1, method: 'query', type: 'reject' }] });
  });

  test('each failure type does what it says; with a system they are in its history and time is virtual', async ({ system }) => {
    const effects: string[] = [];
    const make = (type: 'exit' | 'timeout' | 'disconnect' | 'throw' | 'reject' | 'hang') =>
      injectFailures(async (x: number) => x * 2, {
        rate: 1,
        types: [type],
        system,
        label: type,
        timeout: 800,
        onExit: ({ call }) => effects.push(`exit ${call}`),
        onDisconnect: ({ call }) => effects.push(`disconnect ${call}`),
      });
    expect(() => make('throw')(1)).toThrow(InjectedFault);
    await expect(make('reject')(1)).rejects.toMatchObject({ type: 'reject', code: 'INJECTED_REJECT' });
    await expect(make('exit')(1)).rejects.toMatchObject({ type: 'exit' });
    await expect(make('disconnect')(1)).rejects.toMatchObject({ type: 'disconnect', code: 'ECONNRESET' });
    expect(effects).toEqual(['exit 1', 'disconnect 1']);
    const start = system.now();
    await expect(system.drive(make('timeout')(1) as Promise<number>)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(system.now() - start).toBe(800);
    const hung = make('hang');
    const call = hung(21);
    await system.settle();
    injectionsOf(hung).heal();
    expect(await call).toBe(42);
    expect(system.history.ofKind(FAULT_KINDS.inject).map((e) => e.source)).toEqual(['throw', 'reject', 'exit', 'disconnect', 'timeout', 'hang']);
  });

  // The chaos scenario of the snakepit test architecture, ported: a pool of 4 workers, requests
  // through a transport that fails half its calls (exit, timeout, disconnect), a client that
  // retries on another worker after a short backoff. Seeds are fixed so the outcome is the same on every run.
  async function snakepitScenario(seed: number) {
    const system = createTestSystem({ testId: 'snakepit chaos', seed, trapExits: true });
    const pythonWorker: ServerBehaviour<null> = { init: () => ({ state: null }), handleCall: (req) => ({ reply: { status: 'pong', req }, state: null }) };
    const ids = ['w1', 'w2', 'w3', 'w4'];
    const pool: SupervisorRef = await system.start(
      supervisor({ id: 'pool', intensity: 100, period: 5, children: ids.map((id) => serverChild(id, pythonWorker, undefined)) }),
    );
    const c = chaos(system);
    const transport = injectFailures((worker: Pid, req: unknown) => system.runtime.call(worker, req, 1000), {
      rate: 0.5,
      types: ['exit', 'timeout', 'disconnect'],
      system,
      label: 'transport',
      timeout: 1000,
      // An exit failure is a real crash of the worker the request went to: the pool restarts it.
      onExit: ({ args }) => {
        if (system.runtime.isAlive(args[0] as Pid)) c.kill(args[0] as Pid);
      },
    });
    let next = 0;
    const execute = async (req: string): Promise<unknown> => {
      for (let attempt = 1; ; attempt++) {
        const worker = pool.child(ids[next++ % ids.length]!);
        try {
          if (!(worker instanceof Pid)) throw new Error('worker restarting');
          return await transport(worker, req);
        } catch (error) {
          if (attempt === 4) throw error;
          // Back off 100 ms of virtual time (a kernel timer: the drive below moves the clock) so a killed worker is back.
          await new Promise<void>((resolve) => system.runtime.setTimer(100, resolve));
        }
      }
    };
    const results = await system.drive(Promise.allSettled(Array.from({ length: 20 }, (_, i) => execute(`ping ${i}`))));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const injected = injectionsOf(transport).counts();
    await system.settle(); // the pool restarts the workers killed last
    const restarts = system.history.ofKind('child.restart').length;
    const kills = c.counts()[FAULT_KINDS.kill] ?? 0;
    await system.teardown();
    return { ok, injected, restarts, kills };
  }

  test('snakepit: a pool of 4 under exit/timeout/disconnect failures at rate 0.5 serves at least 15 of 20 concurrent requests', async () => {
    const { ok, injected, restarts, kills } = await snakepitScenario(2024);
    // Which failures were injected, by type, and what they did to the pool: every exit that found
    // its worker alive killed it (a worker already killed is being restarted), and each was restarted.
    expect(Object.keys(injected).sort()).toEqual(['disconnect', 'exit', 'timeout']);
    expect(kills).toBeGreaterThan(0);
    expect(kills).toBeLessThanOrEqual(injected.exit!);
    expect(restarts).toBe(kills);
    expect(ok).toBeGreaterThanOrEqual(15);
    for (let seed = 1; seed <= 20; seed++) expect((await snakepitScenario(seed)).ok, `seed ${seed}`).toBeGreaterThanOrEqual(15);
  });
});

describe('fault sites', () => {
  test('maybeFault is inert with no enabled sites: false, and nothing recorded', ({ system }) => {
    expect(Array.from({ length: 100 }, () => maybeFault('db.write')).some(Boolean)).toBe(false);
    expect(system.history.events.some((e) => e.kind.startsWith('fault.'))).toBe(false);
  });

  test('two tiers: a site is active for the run or not; an active one fires per hit; both from the seed', async () => {
    const run = async (seed: number) => {
      const system = createTestSystem({ testId: 'sites', seed });
      const sites = enableFaultSites(system);
      const fired = Array.from({ length: 40 }, (_, i) => Array.from({ length: 50 }, () => (maybeFault(`site${i}`) ? 'x' : '.')).join(''));
      const stats = sites.stats();
      const lines = system.history.toJSONLines();
      await system.teardown();
      return { fired, stats, lines };
    };
    const a = await run(5);
    expect((await run(5)).lines).toBe(a.lines);
    const active = Object.values(a.stats).filter((s) => s.active);
    // 40 sites at 25%: some active, most not; an inactive site never fires, an active one fires about a quarter of its hits.
    expect(active.length).toBeGreaterThan(2);
    expect(active.length).toBeLessThan(20);
    expect(Object.values(a.stats).filter((s) => !s.active && s.fired > 0)).toEqual([]);
    const hits = active.reduce((n, s) => n + s.hits, 0);
    const fired = active.reduce((n, s) => n + s.fired, 0);
    expect(fired / hits).toBeGreaterThan(0.1);
    expect(fired / hits).toBeLessThan(0.4);
    expect(maybeFault('site0')).toBe(false); // torn down: inert again
  });

  test("a site's draws are its own: hitting other sites in between changes nothing", async () => {
    const run = async (noise: boolean) => {
      const system = createTestSystem({ testId: 'own streams', seed: 77 });
      enableFaultSites(system, { force: { mine: true }, fire: 0.5 });
      let out = '';
      for (let i = 0; i < 30; i++) {
        if (noise) maybeFault(`other${i % 3}`);
        out += maybeFault('mine') ? 'x' : '.';
      }
      await system.teardown();
      return out;
    };
    expect(await run(true)).toBe(await run(false));
  });

  test('forced sites, recorded events, and run() scopes for concurrent systems', async () => {
    const a = createTestSystem({ testId: 'a' });
    const rt = new Runtime({ clock: 'virtual', seed: 3 });
    const sitesA = enableFaultSites(a, { force: { always: true }, fire: 1 });
    const sitesB = enableFaultSites(rt, { force: { always: false } });
    expect(sitesA.run(() => maybeFault('always'))).toBe(true);
    expect(sitesB.run(() => maybeFault('always'))).toBe(false);
    expect(a.history.ofKind(FAULT_KINDS.site)).toHaveLength(1);
    expect(a.history.ofKind(FAULT_KINDS.siteActive)[0]!.data).toEqual({ site: 'always', forced: true });
    expect(() => enableFaultSites(rt)).toThrow(/already enabled/);
    sitesB.dispose();
    await a.teardown();
    expect(maybeFault('always')).toBe(false);
    await rt.shutdown();
  });
});
