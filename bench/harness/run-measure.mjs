// Runs a *.measure.ts file inside Vitest (bench/harness/vitest.measure.config.mjs) as a child
// process and returns what it wrote (or the wall time of the whole run).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const cpuOnExit = pathToFileURL(join(root, 'bench', 'harness', 'cpu-on-exit.mjs')).href;

function run(file, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', cpuOnExit, vitestBin, 'run', '--config', 'bench/harness/vitest.measure.config.mjs'], {
      cwd: root,
      env: { ...process.env, QUIESCE_BENCH_FILE: file, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vitest exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** Run the file and return the JSON it wrote to QUIESCE_BENCH_OUT. */
export async function runMeasureFile(file, env) {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-bench-'));
  const out = join(dir, 'out.json');
  try {
    await run(file, { ...env, QUIESCE_BENCH_OUT: out });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the file; the wall and CPU milliseconds of the whole `vitest run` (CPU: user + system, all its threads). */
export async function runVitest(file, env) {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-bench-'));
  const out = join(dir, 'cpu.json');
  try {
    const t = performance.now();
    await run(file, { ...env, QUIESCE_BENCH_CPU_OUT: out });
    const wallMs = performance.now() - t;
    return { wallMs, cpuMs: JSON.parse(readFileSync(out, 'utf8')).cpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median CPU milliseconds of a side's runs (from runVitest). */
export const medianCpu = (runs) => median(runs.map((r) => r.cpuMs));

/** Two sides run alternately (run i of each side saw the same machine): the median of their pairs' CPU ratios. */
export const pairedCpuRatio = (a, b) => median(a.map((run, i) => run.cpuMs / b[i].cpuMs));
