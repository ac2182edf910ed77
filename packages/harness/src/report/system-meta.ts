import type { HistoryEvent } from '@quiesce/runtime';
import { jsonReplacer } from '@quiesce/runtime/internal';
import type { QuiesceTaskMeta, TimelineEvent } from '../core/task-meta.js';

/** How many of a failed test's last history events its report carries. */
export const TIMELINE_EVENTS = 200;
/** An event's data longer than this (as JSON) is cut, so one chatty event cannot bloat a report. */
const MAX_DATA_CHARS = 2000;

interface TaskWithMeta {
  meta: { quiesce?: QuiesceTaskMeta };
}

interface SystemLike {
  readonly seed: number;
  replayCommand(): string;
  readonly history: { tail(n: number): readonly HistoryEvent[] };
}

/** Record the test's seed and replay command in its meta, for the reporters (done when the system is made). */
export function attachSystem(task: TaskWithMeta, system: SystemLike): void {
  const meta = (task.meta.quiesce ??= {});
  meta.seed = system.seed;
  meta.replay = system.replayCommand();
}

/** Record the history's last events in the test's meta (done when the test fails). */
export function attachTimeline(task: TaskWithMeta, system: SystemLike, tail = TIMELINE_EVENTS): void {
  (task.meta.quiesce ??= {}).timeline = system.history.tail(tail).map(timelineEvent);
}

/** An event as plain JSON: what crosses from the worker to the reporter and into the report. */
export function timelineEvent(event: HistoryEvent): TimelineEvent {
  const out: TimelineEvent = { seq: event.seq, time: event.time, kind: event.kind, source: event.source };
  if (event.data !== undefined) {
    const json = JSON.stringify(event.data, jsonReplacer);
    if (json !== undefined) out.data = json.length > MAX_DATA_CHARS ? `${json.slice(0, MAX_DATA_CHARS)}… (${json.length} chars)` : JSON.parse(json);
  }
  return out;
}
