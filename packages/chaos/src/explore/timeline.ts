import { formatTimeline, isKind, type HistoryEvent } from '@quiesce/runtime';
import type { TracedStep } from './policy.js';

/**
 * A schedule as a person reads it: one line per delivery (who to whom; `X runs` when a process
 * takes its turn at its mailbox), the choices marked — `◆` where the schedule left the default
 * (the process that went last goes on, else the oldest delivery), with what it passed over — and under each delivery the history events it
 * caused (messages sent, exits, the scenario's own records).
 */
export function formatSchedule(trace: readonly TracedStep[], events: readonly HistoryEvent[]): string {
  const labels = new Map<string, string>();
  for (const e of events) {
    if (isKind(e, 'process.spawn')) labels.set(e.data.pid, e.data.name ?? e.source);
  }
  const label = (key: string): string => labels.get(key) ?? key;
  // Events name processes by pid; a name reads better.
  const named = (line: string): string => line.replace(/<\d+\.\d+(?:\.\d+)?>/g, (pid) => labels.get(pid) ?? pid);
  const pair = (p: string): string => {
    const [from, to] = [p.slice(0, p.indexOf(' ')), p.slice(p.indexOf(' ') + 1)];
    return from === 'run' ? `${label(to)} runs` : `${label(from)} → ${label(to)}`;
  };
  const lines: string[] = [];
  const eventsOf = (from: number, to: number): void => {
    const slice = events.slice(from, to);
    if (slice.length > 0)
      lines.push(
        ...formatTimeline(slice)
          .split('\n')
          .map((l) => `         ${named(l)}`),
      );
  };
  eventsOf(0, trace[0]?.historyAt ?? events.length);
  trace.forEach((step, i) => {
    const d = step.decision;
    let mark = '';
    if (d && d.chosen !== 0) {
      mark = `   ◆ choice ${d.index}: off the default, over ${d.passed.map(pair).join(', ')}${d.preemption ? ' (a preemption)' : ''}`;
    }
    lines.push(`  ${String(i + 1).padStart(5)}  ${pair(`${step.from} ${step.to}`)}${mark}`);
    eventsOf(step.historyAt, trace[i + 1]?.historyAt ?? events.length);
  });
  return lines.join('\n');
}
