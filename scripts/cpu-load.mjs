// A bounded CPU-load generator: `node scripts/cpu-load.mjs [threads] [seconds]` keeps `threads`
// worker threads (default: the number of cores) busy for at most `seconds` (default 300), then
// exits by itself. Used to run suites under load (the soak lane, flakiness runs).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const threads = Number(process.argv[2] ?? availableParallelism());
const seconds = Number(process.argv[3] ?? 300);
if (!(Number.isInteger(threads) && threads > 0 && threads <= 64) || !(seconds > 0 && seconds <= 3600)) {
  console.error('usage: node scripts/cpu-load.mjs [threads 1..64] [seconds 1..3600]');
  process.exit(3);
}
const spin = `const end = Date.now() + ${seconds * 1000}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
for (let i = 0; i < threads; i++) new Worker(spin, { eval: true });
console.log(`cpu-load: ${threads} busy thread(s) for at most ${seconds} s`);
