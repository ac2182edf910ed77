import diagnostics from 'node:diagnostics_channel';
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

/** The lifecycle kinds the runtime publishes, with the channel each goes to. */
export const LIFECYCLE_KINDS = [
  'process.spawn',
  'process.exit',
  'supervisor.start',
  'supervisor.shutdown',
  'supervisor.intensity',
  'child.start',
  'child.ignore',
  'child.start_failed',
  'child.exit',
  'child.restart',
  'child.terminate',
  'os.spawn',
  'os.ready',
  'os.exit',
  'os.stdout',
  'thread.spawn',
  'thread.ready',
  'thread.exit',
] as const;

export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

/**
 * Marks a message as published by a Quiesce runtime (value: its node number). A registered
 * symbol, so two copies of this module (src and dist, two versions) agree on it.
 */
export const RUNTIME_MARK: unique symbol = Symbol.for('quiesce.diagnostics.runtime');

export interface LifecycleMessage {
  readonly kind: string;
  readonly source: string;
  readonly time: number;
  readonly data: unknown;
  /** Set (non-enumerable) only on messages a Quiesce runtime published. */
  readonly [RUNTIME_MARK]?: number;
}

/** Whether a diagnostics message was published by a Quiesce runtime (not by a third party). */
export function isRuntimeMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && RUNTIME_MARK in message;
}

export function channelName(kind: string): string {
  return CHANNEL_PREFIX + kind;
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
