// Row 4: virtual-time compression.
// One simulated hour of a crash-looping tree, driven by `await rt.advance(3_600_000)` on a
// virtual clock. The tree (seeded, so every rep simulates the same history):
//
//   root      one_for_one, intensity 1e6 in 1 s (never gives up)
//   └ nested  one_for_one, intensity 3 in 5 s, shutdown infinity
//     ├ ticker    crashes 2 s after each start (ctx.sendAfter)
//     ├ flaky     crashes 0.5-6 s after each start (seeded), so some 5 s windows see a 4th
//     │           restart: nested exceeds its intensity, shuts down and escalates to root
//     ├ graceful  traps exits; on shutdown sleeps 300 ms (ctx.sleep), then exits; shutdown 1000
//     └ stubborn  traps exits; on shutdown sleeps 5000 ms, so its 500 ms shutdown timeout kills it
//
// The peer is real time: the same hour takes an hour on a wall clock, so the ratio is the
// compression itself (simulated ms per wall ms).
import { Runtime, startSupervisor, supervisor, worker } from '../../packages/runtime/dist/bundle/index.js';
import { median, now } from '../lib.mjs';

export const id = 'virtual-time';

const HOUR = 3_600_000;

function crasher(delay) {
  return (ctx) =>
    ctx.spawn(
      (message) => {
        if (message === 'crash') throw new Error('crash');
      },
      {
        init: (self) => {
          self.sendAfter(delay(), 'crash');
        },
      },
    );
}

function trapper(exitAfterMs) {
  return (ctx) =>
    ctx.spawn(
      async (message, self) => {
        if (message?.type === 'EXIT') {
          await self.sleep(exitAfterMs);
          self.exit(message.reason);
        }
      },
      { trapExit: true },
    );
}

function tree(rt) {
  const jitter = rt.random.fork('flaky');
  return supervisor({
    id: 'root',
    strategy: 'one_for_one',
    intensity: 1e6,
    period: 1,
    children: [
      supervisor({
        id: 'nested',
        strategy: 'one_for_one',
        intensity: 3,
        period: 5,
        children: [
          worker(
            'ticker',
            crasher(() => 2000),
          ),
          worker(
            'flaky',
            crasher(() => jitter.between(500, 6000)),
          ),
          worker('graceful', trapper(300), { shutdown: 1000 }),
          worker('stubborn', trapper(5000), { shutdown: 500 }),
        ],
      }),
    ],
  });
}

async function simulate(ms) {
  const rt = new Runtime({ clock: 'virtual', seed: 42 });
  const root = await startSupervisor(rt, tree(rt));
  const start = now();
  await rt.advance(ms);
  const wall = now() - start;
  if (!root.isAlive()) throw new Error('the root supervisor died: the scenario is broken');
  const count = (kind) => rt.history.ofKind(kind).length;
  const result = {
    simulatedMs: ms,
    wallMs: wall,
    compression: ms / wall,
    restarts: count('child.restart'),
    escalations: count('supervisor.intensity'),
    killedOnShutdownTimeout: rt.history.ofKind('child.terminate').filter((e) => e.data.reason === 'killed').length,
    events: rt.history.length,
  };
  await rt.shutdown();
  return result;
}

export async function measure({ reps = 7, simulatedMs = HOUR, warmUps = 2 } = {}) {
  // The first hour of a fresh process runs mostly in V8's baseline tiers (what a single test that
  // simulates an hour sees); the figure is taken once the code is optimised, and the first hour
  // is reported beside it.
  const first = await simulate(simulatedMs);
  for (let i = 0; i < warmUps; i++) await simulate(simulatedMs);
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await simulate(simulatedMs));
  const deterministic = [first, ...runs].every((r) => r.restarts === first.restarts && r.events === first.events);
  const compression = median(runs.map((r) => r.compression));
  return {
    id,
    measurement: 'virtual-time compression (1 h of a crash-looping supervisor tree)',
    unit: 'simulated ms / wall ms',
    better: 'higher',
    quiesce: compression,
    peer: 1,
    peerName: 'real time (1 simulated ms takes 1 wall ms)',
    ratio: compression,
    target: 100_000,
    samples: { quiesce: runs.map((r) => r.compression) },
    detail: {
      wallMs: median(runs.map((r) => r.wallMs)),
      firstHour: { wallMs: first.wallMs, compression: first.compression },
      restarts: runs[0].restarts,
      escalations: runs[0].escalations,
      killedOnShutdownTimeout: runs[0].killedOnShutdownTimeout,
      historyEvents: runs[0].events,
      sameHistoryEveryRep: deterministic,
    },
  };
}
