// The runnable versions of the examples in docs/assertions.md (mailboxes, event counts, memory),
// docs/harness.md (measuring), docs/chaos.md (resource exhaustion), docs/linearizability.md and
// docs/migrating.md (from Supertester).
import fc from 'fast-check';
import { describe } from 'vitest';
import { test, expect } from '@quiesce/harness';
import '@quiesce/assertions';
import { startServer, type Pid, type Runtime, type StartFn } from '@quiesce/runtime';
import { chaos } from '@quiesce/chaos';
import { assertLinearizable, type ConcurrentSpec, type SequentialModel } from '@quiesce/chaos/linearizability';

const idle: StartFn = (ctx) => ctx.spawn(() => undefined);

test('the server drains a burst (assertions.md)', async ({ system }) => {
  const server = system.runtime.spawn(() => undefined, { label: 'server' });
  system.runtime.spawn(
    (msg, self) => {
      if (msg === 'burst') for (let i = 0; i < 150; i++) self.send(server, { job: i });
    },
    { init: (self) => void self.sendAfter(5, 'burst') },
  );
  await expect(server).not.toKeepMailboxWithin(100, { during: () => system.advance(30) });
  const m = await system.measureMailbox(server, () => system.advance(30));
  expect(m).toMatchObject({ initial: 0, final: 0 });
});

test('one request event per job (assertions.md)', async ({ system }) => {
  const worker = system.runtime.spawn((msg, self) => void self.runtime.record('pool.request', 'pool', msg));
  for (let i = 0; i < 3; i++) system.send(worker, { job: i });
  await expect(system).toRecordEvents('pool.request', 3);
  await expect(system).toRecordEvents({ kind: 'pool.request' }, { atLeast: 1, atMost: 3 });
});

describe('memory (assertions.md)', { tags: ['slow'] }, () => {
  test('handling a job retains nothing', async () => {
    const handle = (i: number) => JSON.stringify({ job: i }).length;
    await expect(handle).not.toLeakMemory({ iterations: 4000 });
  });
});

test('a burst is measured, peak and all (harness.md)', async ({ system }) => {
  const server = system.runtime.spawn(() => undefined, { label: 'server' });
  const m = await system.measureMailbox(server, () => {
    for (let i = 0; i < 20; i++) system.send(server, i);
  });
  expect(m).toMatchObject({ initial: 0, max: 20, final: 0, enqueued: 20, dequeued: 20 });
  expect((await system.count('process.spawn')).count).toBeGreaterThan(0);
});

test('a pool at the process limit fails the start, and says why (chaos.md)', async ({ system }) => {
  const dyn = await system.startDynamic({ label: 'pool' });
  chaos(system).limitProcesses(system.runtime.processCount);
  await expect(dyn.startChild({ start: idle })).rejects.toMatchObject({ code: 'START_FAILED' });
  expect(system.history.ofKind('process.system_limit')).toHaveLength(1);
});

test('an OS child out of file descriptors (chaos.md)', async ({ system }) => {
  const script = "const fs = require('node:fs'); try { for (;;) fs.openSync('/dev/null', 'r'); } catch (e) { console.log(e.code); }";
  const options = chaos(system).limitFds({ command: process.execPath, args: ['-e', script] }, 64);
  const proc = await system.spawn(options.command, options.args);
  await proc.awaitLine(/EMFILE/);
});

type Op = 'inc' | 'read';

const counter: SequentialModel<number, Op, number | 'ok'> = {
  init: 0,
  step: (n, op) => (op === 'inc' ? { state: n + 1, output: 'ok' } : { state: n, output: n }),
};

const startCounter = (runtime: Runtime): Promise<Pid> =>
  startServer(
    runtime,
    {
      init: () => ({ state: 0 }),
      handleCall: (request: 'get' | 'inc', _from, n: number) => (request === 'get' ? { reply: n, state: n } : { reply: 'ok', state: n + 1 }),
    },
    undefined,
  );

const spec: ConcurrentSpec<Pid, number, Op, number | 'ok'> = {
  setup: startCounter,
  run: (ctx, server, op) => ctx.call(server, op === 'inc' ? 'inc' : 'get'),
  model: counter,
  operation: fc.constantFrom<Op>('inc', 'read'),
};

test('the counter is linearizable (linearizability.md)', async ({ system }) => {
  const report = await assertLinearizable(spec, { seed: system.seed, scenarios: 50, clients: 3, operations: 3, schedules: 8 });
  expect(report.histories).toBe(400);
});

test('the server keeps up with a burst (migrating.md)', async ({ system }) => {
  const server = system.runtime.spawn(() => undefined, { label: 'server' });
  await expect(server).toKeepMailboxWithin(100, {
    during: () => {
      for (let i = 0; i < 50; i++) system.runtime.send(server, { job: i });
    },
  });
});
