// Preloaded (`node --import`) into a nested `vitest run`: at exit, writes the process's CPU time
// (user + system, every thread: the `threads` pool runs the tests in this process) to
// QUIESCE_BENCH_CPU_OUT. CPU time holds steadier than wall time on a shared, loaded machine.
import { writeFileSync } from 'node:fs';

const out = process.env.QUIESCE_BENCH_CPU_OUT;
if (out) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ cpuMs: (user + system) / 1000 }));
  });
}
