#!/usr/bin/env node
// `npm run bench`: Quiesce's runtime side by side with the peer a user would otherwise pick.
//
// Each measurement (bench/runtime/*.mjs) runs in its own child process, one after the other, so
// one measurement's garbage, JIT state or history never colours the next; the child is started
// with --expose-gc (the memory row needs it) and is killed if it overruns its time budget.
// Inside a child, Quiesce and its peer alternate rep by rep, so both see the same machine.
//
//   npm run bench                  every row
//   npm run bench -- calls memory  only these rows (ids: calls, restarts, memory, virtual-time, ports, restart-latency, fixture, fault-site, tcp-proxy, explore, http-faults, linearizability, fault-shrink, otp)
//
// Prints one table and writes bench/results/latest.json. It measures the built
// packages/runtime/dist and packages/harness/dist: run `npm run build` first if the sources changed.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/** In table order. `budgetMs` bounds the child's whole life, start-up included. */
const MEASUREMENTS = [
  { id: 'calls', module: 'runtime/calls.mjs', budgetMs: 15_000 },
  { id: 'restarts', module: 'runtime/restarts.mjs', budgetMs: 15_000 },
  { id: 'memory', module: 'runtime/memory.mjs', budgetMs: 10_000 },
  { id: 'virtual-time', module: 'runtime/virtual-time.mjs', budgetMs: 15_000 },
  { id: 'ports', module: 'harness/ports.mjs', budgetMs: 90_000 },
  { id: 'restart-latency', module: 'harness/latency.mjs', budgetMs: 60_000 },
  { id: 'fixture', module: 'harness/fixture-tests.mjs', budgetMs: 300_000 },
  { id: 'fault-site', module: 'chaos/fault-site.mjs', budgetMs: 20_000 },
  { id: 'tcp-proxy', module: 'chaos/tcp-proxy.mjs', budgetMs: 60_000 },
  { id: 'explore', module: 'chaos/explore.mjs', budgetMs: 30_000 },
  { id: 'http-faults', module: 'chaos/http-faults.mjs', budgetMs: 30_000 },
  { id: 'linearizability', module: 'chaos/linearizability.mjs', budgetMs: 30_000 },
  { id: 'fault-shrink', module: 'chaos/fault-shrink.mjs', budgetMs: 30_000 },
  { id: 'otp', module: 'runtime/otp.mjs', budgetMs: 60_000 },
];

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  await main(process.argv.slice(2));
}

async function child(id) {
  const entry = MEASUREMENTS.find((m) => m.id === id);
  const mod = await import(pathToFileURL(join(here, entry.module)).href);
  const result = await mod.measure();
  process.send({ ok: true, result }, () => process.exit(0));
}

async function main(args) {
  const unknown = args.filter((a) => !MEASUREMENTS.some((m) => m.id === a));
  if (unknown.length > 0) {
    console.error(`bench: unknown measurement ${unknown.map((u) => JSON.stringify(u)).join(', ')}; known: ${MEASUREMENTS.map((m) => m.id).join(', ')}`);
    process.exit(2);
  }
  const selected = args.length > 0 ? MEASUREMENTS.filter((m) => args.includes(m.id)) : MEASUREMENTS;
  const stale = staleBuild();
  if (stale) console.warn(`bench: warning: ${stale}; run \`npm run build\` to measure the current sources\n`);

  const started = performance.now();
  const rows = [];
  for (const m of selected) {
    process.stderr.write(`bench: ${m.id} ... `);
    const t = performance.now();
    const outcome = await runChild(m);
    process.stderr.write(`${outcome.ok ? 'done' : 'FAILED'} in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    // A module may return several rows (calls: with and without a timeout); they share a number.
    if (outcome.ok) rows.push(...[outcome.result].flat().map((row) => ({ group: m.id, ...row })));
    else rows.push({ group: m.id, id: m.id, error: outcome.error });
  }
  const totalMs = performance.now() - started;

  console.log('');
  console.log(renderTable(rows));
  console.log('');
  console.log(renderNotes(rows));
  console.log(
    `\ntotal ${(totalMs / 1000).toFixed(1)} s on ${cpus()[0]?.model ?? 'unknown cpu'} (${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}), node ${process.version}`,
  );

  const out = join(here, 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        commit: gitHead(),
        node: process.version,
        cpu: cpus()[0]?.model,
        cores: availableParallelism(),
        loadavg: loadavg(),
        totalMs,
        staleBuild: stale ?? null,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${relative(process.cwd(), out)}`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

/** Run one measurement in a child with --expose-gc; kill it (that child only) past its budget. */
function runChild(m) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const proc = fork(fileURLToPath(import.meta.url), ['--child', m.id], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish({ ok: false, error: `timed out after ${m.budgetMs} ms` });
    }, m.budgetMs);
    proc.on('message', (message) => finish(message));
    proc.on('error', (error) => finish({ ok: false, error: String(error) }));
    proc.on('exit', (code, signal) => finish({ ok: false, error: `exited (${signal ?? `code ${code}`}) without a result` }));
  });
}

// ---------------------------------------------------------------- rendering

function renderTable(rows) {
  const header = ['#', 'measurement', 'Quiesce', 'peer', 'Quiesce ÷ peer', 'reading'];
  const body = rows.map((r, i) => {
    if (r.error) return [label(rows, i), r.id, 'error', '', '', r.error];
    return [
      label(rows, i),
      r.measurement,
      fmtValue(r.quiesce, r.unit),
      fmtValue(r.peer, r.unit, r.id === 'virtual-time'),
      r.ratio === undefined ? '—' : fmtRatio(r.ratio),
      reading(r),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells) => `| ${cells.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c >= 2 && c <= 4 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function renderNotes(rows) {
  const notes = [];
  rows.forEach((r, i) => {
    if (r.error) return;
    notes.push(`${label(rows, i)}. peer: ${r.peerName}`);
    if (r.note) notes.push(`   ${r.note}`);
    if (r.id === 'restarts' && r.detail) {
      notes.push(
        `   over ${r.cyclesPerRep.toLocaleString('en-US')} cycles per rep: first tenth ${fmtValue(r.detail.firstTenth, r.unit)}, last tenth ${fmtValue(r.detail.lastTenth, r.unit)}`,
      );
    }
    if (r.id === 'memory' && r.detail) {
      notes.push(
        `   of Quiesce's ${Math.round(r.quiesce)} B, about ${Math.round(r.detail.historyEventBytes)} B is the process.spawn event the history keeps; target ≤ ${r.target} B: ${r.quiesce <= r.target ? 'met' : 'MISSED'}`,
      );
    }
    if (r.id === 'virtual-time' && r.detail) {
      const d = r.detail;
      notes.push(
        `   1 h simulated in ${d.wallMs.toFixed(0)} ms wall once warm (the process's first hour: ${d.firstHour.wallMs.toFixed(0)} ms, ${Math.round(d.firstHour.compression).toLocaleString('en-US')}×): ${d.restarts} restarts, ${d.escalations} escalations to root, ${d.killedOnShutdownTimeout} kills on shutdown timeout, ${d.historyEvents} history events; same history every rep: ${d.sameHistoryEveryRep ? 'yes' : 'NO'}; target ≥ ${r.target.toLocaleString('en-US')}×: ${r.quiesce >= r.target ? 'met' : 'MISSED'}`,
      );
    }
  });
  return notes.join('\n');
}

/** Row labels number the measurement modules: 1, 1b, 2, 3, 4 (the rows of one module share a number). */
function label(rows, index) {
  let n = 0;
  let sub = 0;
  for (let i = 0; i <= index; i++) {
    if (i > 0 && rows[i].group === rows[i - 1].group) sub++;
    else {
      n++;
      sub = 0;
    }
  }
  return sub === 0 ? String(n) : `${n}${String.fromCharCode(97 + sub)}`;
}

function reading(r) {
  if (r.reading) return r.reading; // a module may word its own reading (ports: collisions)
  if (r.id === 'virtual-time') return `1 h simulated in ${r.detail.wallMs.toFixed(0)} ms`;
  if (r.ratio === undefined) return r.target !== undefined ? `target ${r.target} ${r.unit}: ${r.quiesce <= r.target ? 'met' : 'MISSED'}` : '';
  if (r.better === 'lower-latency')
    return `Quiesce ${fmtRatio(r.ratio)} lower${r.target ? ` (target ${r.target}×: ${r.ratio >= r.target ? 'met' : 'MISSED'})` : ''}`;
  if (r.better === 'higher') return r.ratio >= 1 ? `Quiesce ${r.ratio.toFixed(2)}× faster` : `peer ${(1 / r.ratio).toFixed(2)}× faster`;
  return r.ratio <= 1 ? `Quiesce uses ${(1 / r.ratio).toFixed(2)}× less` : `Quiesce uses ${r.ratio.toFixed(2)}× more`;
}

function fmtValue(value, unit, isRealTime = false) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (isRealTime) return '1× (real time)';
  if (unit === 'collisions') return `${value} ${unit}`;
  if (unit === 'bytes/process') return `${Math.round(value)} B`;
  if (unit === 'simulated ms / wall ms') return `${Math.round(value).toLocaleString('en-US')}×`;
  if (value < 10) return `${value.toFixed(value < 0.1 ? 4 : 2)} ${unit}`;
  const short = value >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : value.toFixed(0);
  return `${short} ${unit}`;
}

function fmtRatio(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '—';
  if (ratio >= 100) return `${Math.round(ratio).toLocaleString('en-US')}×`;
  return `${ratio.toFixed(2)}×`;
}

// ---------------------------------------------------------------- environment

function gitHead() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * A source file under packages/runtime/src that is newer than its own emitted .js (tsc -b leaves
 * outputs whose content did not change untouched, so each file is compared with its own output),
 * or a bundle older than an emitted .js (tsc -b run without the bundle step).
 */
function staleBuild() {
  const src = join(root, 'packages/runtime/src');
  const dist = join(root, 'packages/runtime/dist');
  let bundled;
  try {
    bundled = statSync(join(dist, 'bundle', 'index.js')).mtimeMs;
  } catch {
    console.error('bench: packages/runtime/dist/bundle/index.js is missing; run `npm run build` first');
    process.exit(2);
  }
  let stale;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const out = join(dist, relative(src, path)).replace(/\.ts$/, '.js');
        let built = 0;
        try {
          built = statSync(out).mtimeMs;
        } catch {
          // Not built yet: stale.
        }
        if (statSync(path).mtimeMs > built) stale ??= `${relative(root, path)} is newer than its build`;
        else if (built > bundled) stale ??= `${relative(root, out)} is newer than the bundle`;
      }
    }
  };
  walk(src);
  return stale;
}
