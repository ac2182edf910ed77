// The runnable versions of docs/chaos.md's examples. Runs with `npm test`.
import { connect, createServer } from 'node:net';
import { Piscina } from 'piscina';
import { createTestSystem, expect, test } from '@quiesce/harness';
import { CallTimeoutError, Runtime, supervisor, worker, type Pid, type ServerBehaviour, type StartFn } from '@quiesce/runtime';
import { chaos, enableFaultSites, explore, FAULT_KINDS, FAULTY_CHILD, injectFailures, injectionsOf, maybeFault, monkey, swarm, sweep } from '@quiesce/chaos';

const idle: StartFn = (ctx) => ctx.spawn(() => undefined);
const echo: ServerBehaviour<null> = { init: () => ({ state: null }), handleCall: (req) => ({ reply: req, state: null }) };

test('kill, hang and heal: every fault is in the history at its virtual time', async ({ system }) => {
  const db = worker('db', (ctx) => ctx.startServer(echo, null, { name: 'db' }));
  const pool = await system.start(supervisor({ id: 'pool', intensity: 3, period: 5, children: [worker('w1', idle), db] }));
  const c = chaos(system);

  c.kill(pool.child('w1')!);
  await system.until({ kind: 'child.restart', data: { id: 'w1' } });

  const hang = c.hang('db');
  await expect(system.drive(system.runtime.call('db', 'select', 1000))).rejects.toBeInstanceOf(CallTimeoutError);
  hang.heal();
  expect(await system.call('db', 'select')).toBe('select');

  expect(system.history.events.filter((e) => e.kind.startsWith('fault.')).map((e) => `${e.time} ${e.kind}`)).toEqual([
    '0 fault.kill',
    '0 fault.arm',
    '0 fault.hang',
    '1000 fault.heal',
  ]);
});

test('between two processes: a delay holds the pair, never reorders it', async ({ system }) => {
  const got: string[] = [];
  const sink = system.runtime.spawn((m) => void got.push(m as string));
  const a = system.runtime.spawn((m, ctx) => ctx.send(sink, m));
  const b = system.runtime.spawn((m, ctx) => ctx.send(sink, m));
  chaos(system).delay(a, sink, { delay: 200, count: 1 });
  for (const m of ['a1', 'a2']) system.send(a, m);
  system.send(b, 'b1');
  await system.advance(500);
  expect(got).toEqual(['b1', 'a1', 'a2']);
});

test('a crash loop at the intensity boundary: 3 crashes in 5 s are survived, a 4th stops the supervisor', async ({ system }) => {
  system.trapExits();
  const pool = await system.start(supervisor({ id: 'pool', intensity: 3, period: 5, children: [worker('w1', idle)] }));
  chaos(system).crashLoop(pool, 'w1', { every: 1000, times: 4 });
  await system.advance(3500);
  expect(pool.isAlive()).toBe(true);
  await system.advance(1000);
  expect(pool.isAlive()).toBe(false);
});

test('a failing start', async ({ system }) => {
  const c = chaos(system);
  const flaky = c.failStart(worker('w1', idle), { mode: 'error', times: 1 });
  await expect(system.start(supervisor({ id: 'pool', children: [flaky] }))).rejects.toMatchObject({ code: 'START_FAILED' });
  const pool = await system.start(supervisor({ id: 'pool', children: [flaky] })); // the fault fired once: this start runs
  expect(pool.child('w1')).toBeDefined();
});

test('OS processes: pause and resume a program the test spawned', async ({ system }) => {
  const proc = await system.spawn(process.execPath, [FAULTY_CHILD], { ready: /^ready$/, stdin: 'pipe' });
  const c = chaos(system);
  const pause = c.os.pause(proc); // SIGSTOP to its process group
  c.os.command(proc, 'echo hello'); // it reads nothing while stopped
  pause.heal(); // SIGCONT
  expect(await proc.awaitLine(/^hello$/)).toBe('hello');
  c.os.exit(proc, 3);
  expect(await proc.awaitExit()).toEqual({ code: 3, signal: null });
});

test('a TCP proxy: latency for every connection, a reset for some, down and up', async ({ system }) => {
  const upstream = await system.listen(createServer((socket) => socket.pipe(socket))); // an echo server
  const proxy = await chaos(system).tcpProxy({ upstream, label: 'echo' });
  const ask = (text: string) =>
    new Promise<string>((resolve, reject) => {
      let got = '';
      const socket = connect({ host: '127.0.0.1', port: proxy.port });
      socket.on('data', (chunk) => (got += chunk));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
      socket.end(text);
    });
  proxy.toxic('latency', { latency: 20, jitter: 10 });
  expect(await ask('hello')).toBe('hello');
  const reset = proxy.toxic('reset_peer', { count: 1 });
  await expect(ask('lost')).rejects.toMatchObject({ code: 'ECONNRESET' });
  reset.heal();
  await proxy.down();
  await expect(ask('refused')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await proxy.up();
  expect(await ask('back')).toBe('back');
});

test('injectFailures: a piscina pool that rejects 30% of its runs, from the seed', async ({ system }) => {
  const raw = new Piscina({ filename: new URL('./fixtures/multiply.mjs', import.meta.url).href, maxThreads: 2 });
  const pool = injectFailures(raw, { rate: 0.3, types: ['reject'], seed: system.seed, methods: ['run'] });
  const run = async (task: { a: number; b: number }): Promise<number> => {
    for (;;) {
      try {
        return (await pool.run(task)) as number;
      } catch {
        // an injected failure: try again
      }
    }
  };
  try {
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((a) => run({ a, b: 10 })));
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(injectionsOf(pool).calls).toBe(6 + (injectionsOf(pool).counts().reject ?? 0));
  } finally {
    await raw.destroy();
  }
});

test('fault sites: inert in production, seeded when a test enables them', async () => {
  // In the code under test:
  const write = (store: string[], value: string): void => {
    if (maybeFault('store.write')) throw new Error('disk full');
    store.push(value);
  };
  const store: string[] = [];
  write(store, 'a'); // no test enabled sites: never fails, costs one comparison

  const system = createTestSystem({ testId: 'sites' });
  enableFaultSites(system, { force: { 'store.write': true }, fire: 1 });
  expect(() => write(store, 'b')).toThrow('disk full');
  expect(system.history.ofKind(FAULT_KINDS.site)).toHaveLength(1);
  await system.teardown(); // inert again
  write(store, 'c');
  expect(store).toEqual(['a', 'c']);
});

test('a monkey: invariants after every action, then heal and converge', async ({ system }) => {
  const pool = await system.start(supervisor({ id: 'pool', intensity: 100, period: 5, children: [worker('w1', idle), worker('w2', idle)] }));
  const report = await monkey(system, {
    target: pool,
    profile: swarm(), // this seed's own mix of kill, crash, hang, slow, drop, delay, heal
    steps: 50,
    invariants: { 'the pool is up': () => pool.isAlive() },
    liveness: { within: 10_000 },
  }).check();
  expect(report).toMatchObject({ ok: true, liveness: { converged: true } });
});

test('a seed sweep: which seeds fail, and how to replay each', async () => {
  const report = await sweep(
    async ({ seed }) => {
      const rt = new Runtime({ clock: 'virtual', seed });
      const pid = rt.spawn(() => undefined);
      const c = chaos(rt);
      c.crashOn(pid, { message: 1 });
      if (rt.random.fork('send').bool(0.5)) rt.send(pid, 'hello'); // a planted bug: half the seeds crash it
      await rt.idle();
      const alive = rt.isAlive(pid);
      c.dispose();
      await rt.shutdown();
      if (!alive) throw new Error('the process died');
    },
    { seeds: 10, replay: (seed) => `node soak.mjs --seed ${seed}` },
  );
  expect(report.failures.length).toBeGreaterThan(0);
  expect(report.failures[0]!.replay).toMatch(/^node soak\.mjs --seed \d+$/);
});

/** Two clients each add 1 to a counter: `readThenWrite` reads, then writes the value + 1 (a race); otherwise one `add` message. */
function twoIncrements(readThenWrite: boolean) {
  return async (rt: Runtime): Promise<true | string> => {
    let value = 0;
    const counter = rt.spawn(
      (message, ctx) => {
        const m = message as { get: Pid } | { set: number } | { add: number };
        if ('get' in m) ctx.send(m.get, { value });
        else if ('set' in m) value = m.set;
        else value += m.add;
      },
      { name: 'counter' },
    );
    for (const name of ['client-a', 'client-b']) {
      const client = rt.spawn(
        (message, ctx) => {
          if (message === 'go') ctx.send(counter, readThenWrite ? { get: ctx.self } : { add: 1 });
          else ctx.send(counter, { set: (message as { value: number }).value + 1 });
        },
        { name },
      );
      rt.send(client, 'go');
    }
    await rt.idle();
    return value === 2 || `lost update: the counter is ${value}`;
  };
}

test('explore: PCT finds a lost update, its token replays it byte for byte, the fix passes every schedule', async () => {
  const racy = twoIncrements(true);
  const report = await explore(racy, { strategy: 'pct', depth: 2, runs: 1000, seed: 1 });
  expect(report.ok).toBe(false);
  expect(report.failure!.message).toBe('lost update: the counter is 1');
  expect(report.summary()).toContain(`explore.replay(scenario, '${report.failure!.token}')`);

  const first = await explore.replay(racy, report.failure!.token);
  const second = await explore.replay(racy, report.failure!.token);
  expect(second.failed && second.history === first.history).toBe(true);

  const fixed = twoIncrements(false);
  const por = await explore(fixed, { strategy: 'exhaustive' });
  const plain = await explore(fixed, { strategy: 'exhaustive', reduction: 'none' });
  expect(por).toMatchObject({ ok: true, complete: true });
  expect(por.schedules).toBeLessThan(plain.schedules);
  por.assertOk(); // in a test: throws the summary, timeline included, if a schedule failed
});
