// Prints coverage per package from coverage/coverage-summary.json (Vitest's json-summary
// reporter): `npm run coverage` ends with this table. Thresholds live in vitest.config.ts.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const summary = JSON.parse(readFileSync(resolve(root, 'coverage/coverage-summary.json'), 'utf8'));
const metrics = ['lines', 'branches', 'functions', 'statements'];
const packages = new Map();
for (const [file, data] of Object.entries(summary)) {
  if (file === 'total') continue;
  const match = /^packages\/([^/]+)\//.exec(relative(root, file));
  if (!match) continue;
  const totals = packages.get(match[1]) ?? Object.fromEntries(metrics.map((m) => [m, { covered: 0, total: 0 }]));
  for (const m of metrics) {
    totals[m].covered += data[m].covered;
    totals[m].total += data[m].total;
  }
  packages.set(match[1], totals);
}
const pct = ({ covered, total }) => (total === 0 ? '100.00' : ((100 * covered) / total).toFixed(2));
console.log(`\ncoverage by package\n${'package'.padEnd(12)} ${metrics.map((m) => m.padStart(10)).join(' ')}`);
for (const [name, totals] of [...packages].sort()) {
  console.log(`${name.padEnd(12)} ${metrics.map((m) => `${pct(totals[m])}%`.padStart(10)).join(' ')}`);
}
