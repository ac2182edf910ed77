import type { ReportDocument } from '../json-report.js';
import { histogramChart, swimlaneChart, timelineTable } from './charts.js';
import { esc, ms, page, percent, tr } from './svg.js';

/** The HTML report of one Vitest run (QuiesceReporter's `html` option): self-contained, inline SVG. */
export function renderReportHtml(report: ReportDocument): string {
  const s = report.summary;
  const subtitle = `${s.total} tests: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped · run seed ${s.seed} · ${s.duration_seconds.toFixed(1)} s`;
  const body: string[] = [];
  const rows = report.tests.map((t) => {
    const cls = t.status === 'passed' ? 'pass' : t.status === 'failed' ? 'fail' : 'skip';
    return tr([[t.status, cls], `${esc(t.file)} &gt; ${esc(t.name)}`, `${(t.duration * 1000).toFixed(0)} ms`, esc(t.error ?? '')]);
  });
  body.push('<h2>Tests</h2>', `<table class="tests">${tr(['status', 'test', 'time', 'error'], 'th')}${rows.join('')}</table>`);
  if (report.load) {
    const l = report.load;
    body.push(
      '<h2>Load</h2>',
      `<p>${l.requests} requests in ${l.loads} load ${l.loads === 1 ? 'run' : 'runs'}: ${l.requests_per_second.toFixed(1)} req/s, ` +
        `p50 ${ms(l.p50_latency_ms)}, p95 ${ms(l.p95_latency_ms)}, p99 ${ms(l.p99_latency_ms)}, errors ${percent(l.error_rate)}</p>`,
    );
    for (const t of report.tests) {
      for (const stats of t.metrics.load ?? []) {
        const name = `${t.name}: ${stats.label}`;
        body.push(
          `<h3>${esc(name)}</h3><p class="muted">${esc(stats.target)} · ${stats.requests} requests at concurrency ${stats.concurrency} · ` +
            `${stats.throughput.toFixed(1)} req/s · errors ${percent(stats.errorRate)}</p>`,
        );
        body.push(histogramChart(stats.histogram, stats.latency, name));
      }
    }
  }
  const failed = report.tests.filter((t) => t.status === 'failed');
  if (failed.length > 0) {
    body.push('<h2>Failures</h2>');
    for (const t of failed) {
      body.push(
        `<h3 class="failure">${esc(t.file)} &gt; ${esc(t.name)}</h3><pre>${esc(t.error ?? '')}</pre>`,
        `<p>Replay (seed ${t.seed}):</p><pre class="replay">${esc(t.replay)}</pre>`,
      );
      if (t.timeline && t.timeline.length > 0)
        body.push(swimlaneChart(t.timeline, t.name), `<details><summary>${t.timeline.length} events</summary>${timelineTable(t.timeline)}</details>`);
    }
  }
  return page('Quiesce test report', esc(subtitle), body.join('\n'));
}
