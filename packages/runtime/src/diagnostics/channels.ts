import diagnostics from 'node:diagnostics_channel';
import type { EventData, EventKind, LifecycleEvents } from '../kernel/events.js';
import type { HistoryEvent } from '../kernel/history.js';

/**
 * Lifecycle events are published on node:diagnostics_channel so any tool can observe a Quiesce
 * runtime, and a third-party supervisor can publish the same events to become assertable.
 *
 * Protocol: the channel name is `quiesce:` + the event kind; the message is
 * `{ kind, source, time, data }` (the history event without its sequence number, which belongs
 * to the history that records it). Messages a Quiesce runtime publishes also carry a
 * non-enumerable `[RUNTIME_MARK]` property (the publishing runtime's node number), so a bridge
 * that records third-party messages into a history can skip events a runtime already recorded.
 * Third parties never set it.
 */
export const CHANNEL_PREFIX = 'quiesce:';

/** A lifecycle kind (see `LifecycleEvents` in the event map). */
export type LifecycleKind = keyof LifecycleEvents;

/** The channel an event kind is published on: `quiesce:child.restart`. */
export type ChannelName<K extends string = EventKind> = `${typeof CHANNEL_PREFIX}${K}`;

// A type cannot be enumerated at run time, so the map's lifecycle keys are listed here once more;
// the mapped type makes the compiler reject a missing or an extra one, so the list cannot drift.
const LIFECYCLE: { readonly [K in LifecycleKind]: true } = {
  'process.spawn': true,
  'process.exit': true,
  'supervisor.start': true,
  'supervisor.shutdown': true,
  'supervisor.intensity': true,
  'child.start': true,
  'child.ignore': true,
  'child.start_failed': true,
  'child.exit': true,
  'child.restart': true,
  'child.terminate': true,
  'os.spawn': true,
  'os.ready': true,
  'os.exit': true,
  'os.stdout': true,
  'thread.spawn': true,
  'thread.ready': true,
  'thread.exit': true,
};

/** The lifecycle kinds the runtime publishes, each on `channelName(kind)`. */
export const LIFECYCLE_KINDS: readonly LifecycleKind[] = Object.keys(LIFECYCLE) as LifecycleKind[];

/**
 * Marks a message as published by a Quiesce runtime (value: its node number). A registered
 * symbol, so two copies of this module (src and dist, two versions) agree on it.
 */
export const RUNTIME_MARK: unique symbol = Symbol.for('quiesce.diagnostics.runtime');

/** A message on a `quiesce:<kind>` channel; its data is typed when the kind is declared in the event map. */
export interface LifecycleMessage<K extends string = string> {
  readonly kind: K;
  readonly source: string;
  readonly time: number;
  readonly data: EventData<K>;
  /** Set (non-enumerable) only on messages a Quiesce runtime published. */
  readonly [RUNTIME_MARK]?: number;
}

/** Whether a diagnostics message was published by a Quiesce runtime (not by a third party). */
export function isRuntimeMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && RUNTIME_MARK in message;
}

export function channelName<K extends string>(kind: K): ChannelName<K> {
  return `${CHANNEL_PREFIX}${kind}`;
}

const channels = new Map<string, diagnostics.Channel>();

function channelFor(kind: string): diagnostics.Channel {
  let ch = channels.get(kind);
  if (!ch) {
    ch = diagnostics.channel(channelName(kind));
    channels.set(kind, ch);
  }
  return ch;
}

/** Publish a history event on its channel, marked with the runtime's node; free when nobody subscribes. */
export function publishEvent(event: HistoryEvent, runtimeNode: number): void {
  const ch = channelFor(event.kind);
  if (!ch.hasSubscribers) return;
  const message: LifecycleMessage = { kind: event.kind, source: event.source, time: event.time, data: event.data };
  Object.defineProperty(message, RUNTIME_MARK, { value: runtimeNode, enumerable: false });
  ch.publish(message);
}
