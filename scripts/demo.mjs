// `npm run demo`: a supervised pool of workers that crash and come back, in virtual time,
// with the whole history printed as a timeline. Runs against the built packages (npm install builds them).
import { Runtime, startSupervisor, supervisor, worker } from '@quiesce/runtime';

const rt = new Runtime({ clock: 'virtual', seed: 42 });

// A worker handles jobs; job 'poison' crashes it. Each worker schedules its own poison pill
// at a seeded random moment, so the run is chaotic yet identical every time.
const startWorker = (ctx) =>
  ctx.spawn(
    (job, _self) => {
      if (job === 'poison') throw new Error(`${ctx.id} swallowed poison`);
    },
    { init: (self) => void self.sendAfter(1000 + rt.random.fork(ctx.path).int(4000), 'poison') },
  );

const pool = await startSupervisor(
  rt,
  supervisor({
    id: 'pool',
    strategy: 'one_for_one',
    intensity: 3,
    period: 5,
    children: [worker('w1', startWorker), worker('w2', startWorker), worker('w3', startWorker)],
  }),
);

console.log(`pool started with ${pool.countChildren().active} workers; running 12 s of virtual time...\n`);
const wallStart = performance.now();
await rt.advance(12_000);
const wallMs = performance.now() - wallStart;

const interesting = rt.history.events.filter((e) => e.kind.startsWith('child.') || e.kind.startsWith('supervisor.'));
console.log(`timeline (${interesting.length} of ${rt.history.length} events):`);
for (const e of interesting) {
  const data = e.data.reason ? ` reason=${JSON.stringify(e.data.reason)}` : '';
  console.log(`  ${String(e.time).padStart(6)} ms  ${e.kind.padEnd(22)} ${e.source}${e.data.id ? ` ${e.data.id}` : ''}${data}`);
}
const restarts = rt.history.ofKind('child.restart').length;
console.log(`\n${restarts} restarts in 12 s of virtual time, simulated in ${wallMs.toFixed(1)} ms of wall time.`);
console.log(`the pool is ${pool.isAlive() ? 'alive' : 'down (restart intensity exceeded)'}; replay with seed 42 gives the same timeline.`);
await rt.shutdown();
