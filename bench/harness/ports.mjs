// Rows 5–5f (5–5d without /dev/shm): port allocation across processes, Quiesce's lease (tier 4) against get-port.
//
// Each rep starts 8 worker processes at once, as 2 concurrent "runs" of 4 (two run ids, pool ids
// 1–4 in each), and releases them together with a "go" line once all have loaded their code.
// Each worker allocates 200 ports in batches of 50: it allocates 50 (timing every allocation),
// then binds the 50 on 127.0.0.1 and keeps them bound, then the next batch. A bind that fails
// with EADDRINUSE is a collision: the number it was given was not (or no longer) free. The
// workers hold everything until every worker has reported, so a number handed to two processes
// shows up as a bind failure in one of them (or, if both somehow bound, as a duplicate).
//
// Sides, alternating rep by rep:
//   quiesce        createPortAllocator({ dir }).lease(): a lease file per number, bind-verified,
//                  the lock directory under os.tmpdir() (the default's file system)
//   quiesce-tmpfs  the same with the lock directory on /dev/shm (when present)
//   get-port       getPort(): asks the kernel for a free ephemeral port (bind 0), reserves nothing
//                  across processes
//   get-port-range getPort({ port: portNumbers(10000, 32767) }): the same range Quiesce leases
//                  from, scanned in order, reserving nothing across processes
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const id = 'ports';

const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
const harnessDist = join(here, '../../packages/harness/dist/ports/index.js');

// The lock directory's file system sets the cost of a lease (a file create and delete): the
// default lives under os.tmpdir(); a second Quiesce side puts it on tmpfs where there is one.
const TMPFS = '/dev/shm';
const RUNS = 2;
const PER_RUN = 4;
const PER_PROCESS = 200;
const BATCH = 50;

// ---------------------------------------------------------------- worker

async function worker([side, dir, runId, poolId]) {
  const allocate = await allocatorFor(side, dir, runId, Number(poolId));
  // Loaded: say so, and wait for the common start.
  const lines = createInterface({ input: process.stdin });
  const go = once(lines, 'line');
  process.stdout.write('ready\n');
  await go;

  const samples = [];
  const ports = [];
  const servers = [];
  let collisions = 0;
  for (let done = 0; done < PER_PROCESS; done += BATCH) {
    const batch = [];
    for (let i = 0; i < BATCH; i++) {
      const t = performance.now();
      batch.push(await allocate());
      samples.push((performance.now() - t) * 1000);
    }
    for (const port of batch) {
      const bound = await bind(port);
      if (bound) {
        servers.push(bound);
        ports.push(port);
      } else collisions++;
    }
  }
  process.stdout.write(`${JSON.stringify({ samples, ports, collisions })}\n`);
  await once(lines, 'close'); // hold everything until the parent ends our stdin
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await allocate.release?.();
  process.exit(0);
}

async function allocatorFor(side, dir, runId, poolId) {
  if (side === 'quiesce' || side === 'quiesce-tmpfs') {
    const { createPortAllocator } = await import(pathToFileURL(harnessDist).href);
    const allocator = createPortAllocator({ dir, runId, poolId });
    const leases = [];
    const allocate = async () => {
      const lease = await allocator.lease();
      leases.push(lease);
      return lease.port;
    };
    allocate.release = () => Promise.all(leases.map((l) => l.release()));
    return allocate;
  }
  const { default: getPort, portNumbers } = await import('get-port');
  if (side === 'get-port') return () => getPort();
  return () => getPort({ port: portNumbers(10_000, 32_767) });
}

/** Bind 127.0.0.1:port; the server, or undefined on EADDRINUSE. */
function bind(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

// ---------------------------------------------------------------- parent

/** One rep of one side: 8 workers, 2 runs. Returns pooled allocation samples and collisions. */
async function rep(side, index) {
  const dir = mkdtempSync(join(side === 'quiesce-tmpfs' ? TMPFS : tmpdir(), 'quiesce-bench-ports-'));
  try {
    const workers = [];
    for (let r = 0; r < RUNS; r++) {
      for (let p = 1; p <= PER_RUN; p++) {
        const child = spawn(process.execPath, [self, '--worker', side, dir, `bench-${index}-run-${r}`, String(p)], { stdio: ['pipe', 'pipe', 'inherit'] });
        const exited = once(child, 'exit');
        const out = createInterface({ input: child.stdout });
        const early = exited.then(([code]) => Promise.reject(new Error(`${side} worker exited (${code}) before reporting`)));
        early.catch(() => undefined);
        const ready = Promise.race([once(out, 'line'), early]);
        const report = ready.then(() => Promise.race([once(out, 'line'), early])).then(([line]) => JSON.parse(line));
        workers.push({ child, ready, report, exited });
      }
    }
    // Start them together, once every one has loaded its code.
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.write('go\n');
    const reports = await Promise.all(workers.map((w) => w.report));
    for (const w of workers) w.child.stdin.end();
    await Promise.all(workers.map((w) => w.exited));

    const bound = reports.flatMap((r) => r.ports);
    const duplicates = bound.length - new Set(bound).size;
    const samples = reports.flatMap((r) => r.samples).sort((a, b) => a - b);
    return {
      p50: quantile(samples, 0.5),
      p99: quantile(samples, 0.99),
      collisions: reports.reduce((sum, r) => sum + r.collisions, 0) + duplicates,
      allocations: samples.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function measure({ reps = 3 } = {}) {
  if (!existsSync(harnessDist)) throw new Error('packages/harness/dist is missing: run `npm run build`');
  const tmpfs = existsSync(TMPFS) && statSync(TMPFS).isDirectory();
  const sides = ['quiesce', ...(tmpfs ? ['quiesce-tmpfs'] : []), 'get-port', 'get-port-range'];
  const results = Object.fromEntries(sides.map((s) => [s, []]));
  // Alternate the sides rep by rep so all see the same machine conditions.
  for (let i = 0; i < reps; i++) {
    for (const side of sides) {
      // get-port on a range is here for its collisions only, and is slow (it scans the range
      // from its start, on every local address): one rep is enough.
      if (side === 'get-port-range' && i > 0) continue;
      results[side].push(await rep(side, i));
    }
  }

  const med = (side, key) => median(results[side].map((r) => r[key]));
  const total = (side) => results[side].reduce((sum, r) => sum + r.collisions, 0) + (side === 'quiesce' && tmpfs ? total('quiesce-tmpfs') : 0);
  // Collisions are counted over every rep of a side (both Quiesce sides together).
  const allocations = (side) =>
    [side, ...(side === 'quiesce' && tmpfs ? ['quiesce-tmpfs'] : [])].reduce((sum, s) => sum + results[s].reduce((n, r) => n + r.allocations, 0), 0);
  const shape = `${RUNS} runs × ${PER_RUN} processes × ${PER_PROCESS} ports, bound in batches of ${BATCH}`;
  const latencyRow = (key, label, side = 'quiesce') => {
    const q = med(side, key);
    const p = med('get-port', key);
    return {
      id: side === 'quiesce' ? `ports-${key}` : `ports-${key}-tmpfs`,
      measurement: `port allocation ${label}, lock dir ${side === 'quiesce' ? 'in os.tmpdir()' : `on tmpfs (${TMPFS})`} (${shape})`,
      unit: 'µs',
      better: 'lower',
      quiesce: q,
      peer: p,
      peerName: 'get-port 7 (getPort(): a free ephemeral port from the kernel, nothing reserved across processes)',
      ratio: q / p,
      reading: q <= p ? `Quiesce ${(p / q).toFixed(2)}× faster` : `get-port ${(q / p).toFixed(2)}× faster`,
      samples: { quiesce: results[side].map((r) => r[key]), peer: results['get-port'].map((r) => r[key]) },
    };
  };
  const collisionRow = (peerSide, peerName) => ({
    id: peerSide === 'get-port' ? 'ports-collisions' : 'ports-collisions-range',
    measurement: `collisions, all reps (${shape})${peerSide === 'get-port' ? '' : ', peer on the same range'}`,
    unit: 'collisions',
    better: 'lower',
    quiesce: total('quiesce'),
    peer: total(peerSide),
    peerName,
    ratio: null,
    reading: `${total('quiesce')} of ${allocations('quiesce').toLocaleString('en-US')} vs ${total(peerSide)} of ${allocations(peerSide).toLocaleString('en-US')} allocations${total('quiesce') > 0 ? ' — Quiesce MUST have 0' : ''}`,
    samples: { quiesce: [...results.quiesce, ...(results['quiesce-tmpfs'] ?? [])].map((r) => r.collisions), peer: results[peerSide].map((r) => r.collisions) },
  });
  return [
    latencyRow('p50', 'p50'),
    latencyRow('p99', 'p99'),
    ...(tmpfs ? [latencyRow('p50', 'p50', 'quiesce-tmpfs'), latencyRow('p99', 'p99', 'quiesce-tmpfs')] : []),
    collisionRow('get-port', 'get-port 7, getPort()'),
    collisionRow('get-port-range', 'get-port 7, getPort({ port: portNumbers(10000, 32767) })'),
  ];
}

if (process.argv[2] === '--worker') await worker(process.argv.slice(3));
