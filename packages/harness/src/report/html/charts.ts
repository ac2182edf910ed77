import type { LatencyBucket } from '../../load/histogram.js';
import type { TimelineEvent } from '../../core/task-meta.js';
import { COLOURS, el, esc, hue, ms, percent, svg, title, tr } from './svg.js';

export type Cell = 'P' | 'F' | 'S' | '-';

export interface GridRow {
  label: string;
  cells: string;
  /** Per run, a tooltip suffix (seeds). */
  note?: (run: number) => string;
}

const CELL_FILL: Record<Cell, string> = { P: COLOURS.pass, F: COLOURS.fail, S: COLOURS.skip, '-': COLOURS.none };
const CELL_WORD: Record<Cell, string> = { P: 'passed', F: 'failed', S: 'skipped', '-': 'not run' };

/** Tests by runs: one square per test and run, coloured by outcome; infrastructure runs marked above their column. */
export function gridChart(rows: readonly GridRow[], runs: number, infra: ReadonlySet<number>): string {
  const label = 300;
  const cell = Math.max(3, Math.min(14, Math.floor(900 / Math.max(1, runs))));
  const top = 18;
  const width = label + runs * cell + 10;
  const height = top + rows.length * (cell + 2) + 4;
  const parts: string[] = [];
  for (const r of infra)
    parts.push(
      el(
        'rect',
        { x: label + r * cell, y: 2, width: cell - 1, height: 12, fill: COLOURS.infra, class: 'infra-run' },
        title(`run ${r}: infrastructure failure, left out`),
      ),
    );
  rows.forEach((row, i) => {
    const y = top + i * (cell + 2);
    parts.push(el('text', { x: label - 8, y: y + cell - 2, 'text-anchor': 'end' }, esc(clip(row.label, 46))));
    for (let r = 0; r < runs; r++) {
      const code = (row.cells[r] ?? '-') as Cell;
      const tip = `${row.label} · run ${r}: ${CELL_WORD[code]}${row.note ? ` · ${row.note(r)}` : ''}`;
      parts.push(
        el(
          'rect',
          { x: label + r * cell, y, width: cell - 1, height: cell, fill: CELL_FILL[code], class: `cell cell-${code === '-' ? 'none' : code}` },
          title(tip),
        ),
      );
    }
  });
  return svg(width, height, parts.join(''), `grid of ${rows.length} tests by ${runs} runs`, 'grid');
}

export interface IntervalRow {
  label: string;
  rate: number;
  interval: [number, number];
}

/** Flake rates with their intervals: a dot at the rate, a bar across the interval, the target as a dashed line. */
export function intervalChart(rows: readonly IntervalRow[], target: number | null): string {
  const label = 300;
  const plot = 520;
  const rowH = 18;
  const top = 24;
  const height = top + rows.length * rowH + 8;
  const x = (v: number) => label + v * plot;
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(el('line', { x1: x(t), x2: x(t), y1: top - 6, y2: height - 4, stroke: COLOURS.grid, 'stroke-width': 0.5 }));
    parts.push(el('text', { x: x(t), y: 12, 'text-anchor': 'middle' }, percent(t)));
  }
  if (target !== null) {
    parts.push(
      el(
        'line',
        { x1: x(target), x2: x(target), y1: top - 6, y2: height - 4, stroke: COLOURS.fail, 'stroke-dasharray': '4 3', class: 'target' },
        title(`target rate ${percent(target)}`),
      ),
    );
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH + rowH / 2;
    const tip = `${row.label}: ${percent(row.rate)}, interval ${percent(row.interval[0])} to ${percent(row.interval[1])}`;
    parts.push(el('text', { x: label - 8, y: y + 4, 'text-anchor': 'end' }, esc(clip(row.label, 46))));
    parts.push(
      el('line', { x1: x(row.interval[0]), x2: x(row.interval[1]), y1: y, y2: y, stroke: COLOURS.ink, 'stroke-width': 2, class: 'interval' }, title(tip)),
    );
    parts.push(el('circle', { cx: x(row.rate), cy: y, r: 4, fill: row.rate > 0 ? COLOURS.fail : COLOURS.pass, class: 'rate' }, title(tip)));
  });
  return svg(label + plot + 30, height, parts.join(''), 'flake rates with their intervals', 'intervals');
}

/** A latency histogram on a log scale, with p50, p95 and p99 marked. */
export function histogramChart(buckets: readonly LatencyBucket[], marks: { p50: number; p95: number; p99: number }, name: string): string {
  const width = 640;
  const height = 200;
  const left = 44;
  const bottom = 28;
  const plotW = width - left - 16;
  const plotH = height - bottom - 20;
  if (buckets.length === 0) return svg(width, 40, el('text', { x: 8, y: 24 }, 'no requests finished'), `latency histogram of ${name}`, 'histogram');
  const lo = Math.log2(buckets[0]!.le) - 1 / 8;
  const hi = Math.log2(buckets[buckets.length - 1]!.le);
  const span = Math.max(hi - lo, 1 / 8);
  const x = (v: number) => left + ((Math.log2(Math.max(v, 2 ** lo)) - lo) / span) * plotW;
  const most = Math.max(...buckets.map((b) => b.count));
  const parts: string[] = [];
  for (const b of buckets) {
    const x0 = x(b.le / 2 ** (1 / 8));
    const x1 = x(b.le);
    const h = (b.count / most) * plotH;
    parts.push(
      el('rect', { x: x0, y: 20 + plotH - h, width: Math.max(1, x1 - x0 - 1), height: h, fill: '#546e7a', class: 'bar' }, title(`<= ${ms(b.le)}: ${b.count}`)),
    );
  }
  parts.push(el('line', { x1: left, x2: left + plotW, y1: 20 + plotH, y2: 20 + plotH, stroke: COLOURS.ink }));
  for (const v of [buckets[0]!.le, 2 ** ((lo + hi) / 2), buckets[buckets.length - 1]!.le]) {
    parts.push(el('text', { x: x(v), y: height - 8, 'text-anchor': 'middle' }, ms(v)));
  }
  for (const [key, colour] of [
    ['p50', COLOURS.pass],
    ['p95', '#ef6c00'],
    ['p99', COLOURS.fail],
  ] as const) {
    const v = marks[key];
    parts.push(
      el('line', { x1: x(v), x2: x(v), y1: 14, y2: 20 + plotH, stroke: colour, 'stroke-width': 2, class: `mark mark-${key}` }, title(`${key} ${ms(v)}`)),
    );
    parts.push(el('text', { x: x(v) + 3, y: 12 + (key === 'p95' ? 0 : key === 'p99' ? 10 : -2) + 2, fill: colour }, `${key} ${ms(v)}`));
  }
  return svg(width, height, parts.join(''), `latency histogram of ${name}`, 'histogram');
}

/** A failure's timeline: one lane per process (event source), its events over virtual time. */
export function swimlaneChart(events: readonly TimelineEvent[], name: string): string {
  const label = 160;
  const plot = 720;
  const laneH = 22;
  const lanes = [...new Set(events.map((e) => e.source))];
  const top = 22;
  const height = top + lanes.length * laneH + 24;
  const t0 = Math.min(...events.map((e) => e.time));
  const t1 = Math.max(...events.map((e) => e.time));
  const span = t1 - t0 || 1;
  // Events at one instant are spread by their order, so simultaneous events stay visible.
  const x = (e: TimelineEvent, i: number) => (t1 === t0 ? label + ((i + 0.5) / events.length) * plot : label + ((e.time - t0) / span) * plot);
  const parts: string[] = [];
  lanes.forEach((lane, i) => {
    const y = top + i * laneH;
    parts.push(el('rect', { x: label, y, width: plot, height: laneH - 4, fill: i % 2 ? '#f5f7f8' : '#eceff1', class: 'lane' }));
    parts.push(el('text', { x: label - 8, y: y + laneH - 9, 'text-anchor': 'end' }, esc(clip(lane, 24))));
  });
  events.forEach((e, i) => {
    const y = top + lanes.indexOf(e.source) * laneH + (laneH - 4) / 2;
    const data = e.data === undefined ? '' : ` ${JSON.stringify(e.data)}`;
    parts.push(
      el('circle', { cx: x(e, i), cy: y, r: 5, fill: hue(e.kind), class: 'event' }, title(`#${e.seq} ${ms(e.time)} ${e.kind} ${e.source}${clip(data, 200)}`)),
    );
  });
  parts.push(el('text', { x: label, y: height - 6 }, `${ms(t0)} (virtual)`));
  parts.push(el('text', { x: label + plot, y: height - 6, 'text-anchor': 'end' }, ms(t1)));
  return svg(label + plot + 20, height, parts.join(''), `timeline of ${name}: ${lanes.length} processes, ${events.length} events`, 'swimlane');
}

/** The same events as a table, for reading. */
export function timelineTable(events: readonly TimelineEvent[]): string {
  const rows = events.map((e) =>
    tr([`#${e.seq}`, esc(ms(e.time)), esc(e.kind), esc(e.source), `<code>${esc(clip(e.data === undefined ? '' : JSON.stringify(e.data), 300))}</code>`]),
  );
  return `<table class="events"><tr><th>seq</th><th>time</th><th>kind</th><th>source</th><th>data</th></tr>${rows.join('')}</table>`;
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
