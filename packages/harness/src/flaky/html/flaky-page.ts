import type { FlakyReport, ReportedTest } from '../report.js';
import { gridChart, histogramChart, intervalChart, swimlaneChart, timelineTable } from '../../report/html/charts.js';
import { COLOURS, esc, page, percent, tr } from '../../report/html/svg.js';

const WORD: Record<ReportedTest['classification'], string> = { 'stable-pass': 'stable', 'stable-fail': 'broken', flaky: 'flaky', skipped: 'skipped' };

/** The HTML report of `quiesce flaky`: one file, no script, no fetch; charts are inline SVG. */
export function renderFlakyHtml(report: FlakyReport): string {
  const s = report.summary;
  const tests = [...report.tests].sort((a, b) => b.flakeRate - a.flakeRate || a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
  const infra = new Set(report.runs.filter((r) => r.infra).map((r) => r.index));
  const label = (t: ReportedTest) => `${t.file} > ${t.name}`;
  const names = new Map(report.tests.map((t) => [t.id, label(t)]));
  const subtitle = [
    `${s.runs} runs · session seed ${s.seed}`,
    s.targetRate === null ? 'fixed runs' : `target rate ${percent(s.targetRate)} at ${percent(s.confidence)} confidence`,
    s.shard ? `shard ${s.shard.index}/${s.shard.count}` : '',
    `${s.durationSeconds.toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join(' · ');
  const body: string[] = [`<p class="verdict"><b>${esc(s.verdict)}.</b> Exit code ${s.exitCode}.</p>`];

  body.push('<h2>Tests by runs</h2>', legend());
  body.push(
    gridChart(
      tests.map((t) => ({ label: label(t), cells: t.outcomes, note: (r: number) => seedNote(report, r) })),
      s.runs,
      infra,
    ),
  );

  body.push('<h2>Flake rates and their intervals</h2>');
  body.push(
    `<p class="muted">Dot: failures / runs. Bar: the ${percent(s.confidence)} Wilson interval.` +
      `${s.targetRate === null ? '' : ' Dashed line: the target rate.'}</p>`,
  );
  body.push(
    intervalChart(
      tests.filter((t) => t.runs > 0).map((t) => ({ label: label(t), rate: t.flakeRate, interval: t.interval })),
      s.targetRate,
    ),
  );

  body.push('<h2>Every test</h2>', testTable(tests, names));

  if (report.signatures.length > 0) {
    body.push('<h2>Failure signatures</h2><table><tr><th>id</th><th>count</th><th>error</th><th>where</th><th>tests</th></tr>');
    for (const sig of report.signatures) {
      body.push(
        tr([
          `<code>${esc(sig.id)}</code>`,
          sig.count,
          `${esc(sig.name)}: ${esc(sig.message)}`,
          `<code>${esc(sig.frames[0] ?? '')}</code>`,
          sig.tests.map((id) => esc(names.get(id) ?? id)).join('<br>'),
        ]),
      );
    }
    body.push('</table>');
  }
  const loads = tests.flatMap((t) => (t.load ?? []).map((stats) => ({ name: `${label(t)}: ${stats.label}`, stats })));
  if (loads.length > 0) {
    body.push('<h2>Load (the last run of each load test)</h2>');
    for (const { name, stats } of loads) {
      body.push(`<h3>${esc(name)}</h3><p class="muted">${esc(stats.target)} · ${stats.requests} requests · errors ${percent(stats.errorRate)}</p>`);
      body.push(histogramChart(stats.histogram, stats.latency, name));
    }
  }
  if (infra.size > 0) {
    body.push('<h2>Infrastructure runs</h2><p class="muted">Left out of every figure above.</p><ul>');
    for (const r of report.runs.filter((run) => run.infra)) body.push(`<li>run ${r.index}: ${esc(r.infraReason)}</li>`);
    body.push('</ul>');
  }
  // Failures in infrastructure runs are not the test's: they are listed with those runs above.
  const failed = tests.map((t) => ({ t, first: t.failures.find((f) => !infra.has(f.run)) })).filter((f) => f.first !== undefined);
  if (failed.length > 0) {
    body.push('<h2>Failures</h2>');
    for (const { t, first: found } of failed) {
      const first = found!;
      body.push(
        `<h3 class="failure">${esc(label(t))}</h3>`,
        `<p>First failed in run ${first.run}${first.timedOut ? ' (timed out)' : ''}${first.crashed ? ' (its worker died)' : ''}. Replay:</p>`,
      );
      body.push(`<pre class="replay">${esc(first.replay)}</pre>`);
      if (first.timeline && first.timeline.length > 0) {
        body.push(
          swimlaneChart(first.timeline, label(t)),
          `<details><summary>${first.timeline.length} events</summary>${timelineTable(first.timeline)}</details>`,
        );
      }
    }
  }
  return page('quiesce flaky', esc(subtitle), body.join('\n'));
}

function legend(): string {
  const item = (colour: string, text: string) => `<span><i style="background:${colour}"></i>${text}</span>`;
  const items = [item(COLOURS.pass, 'passed'), item(COLOURS.fail, 'failed'), item(COLOURS.skip, 'skipped'), item(COLOURS.none, 'not run')];
  return `<div class="legend">${items.join('')}${item(COLOURS.infra, 'infrastructure run')}</div>`;
}

function seedNote(report: FlakyReport, run: number): string {
  const r = report.runs[run];
  return r ? `harness seed ${r.harnessSeed}, shuffle seed ${r.shuffleSeed}` : '';
}

function testTable(tests: readonly ReportedTest[], names: ReadonlyMap<string, string>): string {
  const rows = tests.map((t) => {
    const cls = t.classification === 'stable-pass' ? 'pass' : t.classification === 'skipped' ? 'skip' : 'fail';
    const polluters = t.polluters.map((id) => esc(names.get(id) ?? id)).join(', ');
    const order = t.orderDependent ? `order-dependent: fails after ${polluters}` : t.orderDependent === false ? 'not order-dependent' : '';
    const which = t.classification === 'stable-pass' ? 'rate' : 'pass rate';
    const bound = t.upperBound === null ? '' : `${which} ≤ ${percent(t.upperBound)}`;
    const more = t.runsNeeded ? `, ${t.runsNeeded} more clean runs for the target` : '';
    const interval = `[${percent(t.interval[0])}, ${percent(t.interval[1])}]`;
    const notes = [order, bound + more].filter(Boolean).join('; ');
    const test = `${esc(t.file)} &gt; ${esc(t.name)}`;
    return tr([[WORD[t.classification], cls], `${t.fails}/${t.runs}`, percent(t.flakeRate), interval, t.flipRate.toFixed(2), test, notes]);
  });
  return `<table class="tests">${tr(['verdict', 'fails/runs', 'rate', 'interval', 'flips', 'test', ''], 'th')}${rows.join('')}</table>`;
}
