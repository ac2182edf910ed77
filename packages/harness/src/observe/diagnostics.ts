/**
 * Bridging diagnostics_channel into a test's history.
 *
 * # Publishing lifecycle events from a third-party supervisor or pool
 *
 * A process system not built on @quiesce/runtime becomes observable and assertable by publishing
 * its lifecycle on `node:diagnostics_channel`, the same channels a Quiesce runtime publishes on.
 * A test then calls `system.bridgeDiagnostics()` and waits for and asserts on those events exactly
 * as on the runtime's own (`system.until({ kind: 'child.restart', data: { id: 'w1' } })`).
 *
 * **Channel**: `quiesce:` + the event kind, e.g. `quiesce:child.restart`
 * (`channelName(kind)` from @quiesce/runtime). The lifecycle kinds are LIFECYCLE_KINDS; any other
 * kind works too when the test names it in `kinds`.
 *
 * **Message**: a plain object
 * - `source: string` — who it happened to or who reports it, e.g. `'my-supervisor'` or a pid.
 *   Recorded as the event's source (default `'diagnostics'` when missing).
 * - `data: unknown` — the event's data, recorded as a bounded, JSON-safe copy (see readable.ts:
 *   class instances as `{ '@class': name, ...fields }`, cycles as `[Circular]`). Use the runtime's
 *   payloads (the event map, listed in docs/events.md: `child.restart` `{ id, pid }`, `child.exit`
 *   `{ id, pid, reason, restart }`, …) so the same assertions apply; an object, always.
 * - `kind?: string`, `time?: number` — optional; the channel names the kind, and the recording
 *   history stamps its own (virtual) time and sequence number.
 *
 * ```js
 * import diagnostics from 'node:diagnostics_channel';
 * const restarts = diagnostics.channel('quiesce:child.restart');
 * // in the supervisor, after restarting child `id`:
 * if (restarts.hasSubscribers) restarts.publish({ kind: 'child.restart', source: 'my-sup', time: Date.now(), data: { id, reason } });
 * ```
 *
 * A Quiesce runtime marks what it publishes (the non-enumerable `RUNTIME_MARK` property); the
 * bridge skips marked messages, since the runtime that published them already recorded them in
 * its own history — so bridging never duplicates this test's runtime events and never copies
 * another test's. Third parties must not set the mark.
 *
 * Channels are process-wide: a bridge sees what any code in the same Vitest worker publishes, so
 * tests that bridge the same channels should not run `test.concurrent` with each other.
 */
import diagnostics from 'node:diagnostics_channel';
import { CHANNEL_PREFIX, InvalidOptionError, LIFECYCLE_KINDS, channelName } from '@quiesce/runtime';
import { checkKnownKeys, isRuntimeMessage } from '@quiesce/runtime/internal';
import type { Attach } from './observer.js';
import { readable } from './readable.js';

/**
 * Which diagnostics channels `system.bridgeDiagnostics` records into the test's history.
 * With neither field, `kinds: 'lifecycle'`.
 */
export interface BridgeOptions {
  /**
   * History kinds whose `quiesce:<kind>` channels to bridge: a list, or `'lifecycle'` for every
   * kind the runtime itself publishes (LIFECYCLE_KINDS: process.*, supervisor.*, child.*, os.*,
   * thread.*).
   */
  kinds?: readonly string[] | 'lifecycle';
  /**
   * Other channels, by name (`'my-pool:worker'`). Each message is recorded with the channel name
   * as its kind and the whole message as its data. A name starting with `quiesce:` is treated as
   * the kind after the prefix.
   */
  channels?: readonly string[];
}

/** Validated subscriptions for a bridge, ready to attach (the protocol is at the top of this file). */
export function prepareBridge(options: unknown = {}): { label: string; attach: Attach } {
  const { kinds, channels } = validateBridgeOptions(options);
  const names = new Map<string, string>(); // channel -> kind it records
  for (const kind of kinds) names.set(channelName(kind), kind);
  for (const channel of channels) names.set(channel, channel.startsWith(CHANNEL_PREFIX) ? channel.slice(CHANNEL_PREFIX.length) : channel);
  const label = `diagnostics bridge (${summarise([...names.keys()])})`;
  const attach: Attach = (sink) => {
    const subscriptions = [...names].map(([channel, kind]) => {
      const lifecycle = channel.startsWith(CHANNEL_PREFIX);
      const onMessage = (message: unknown): void => {
        // Recording below republishes on the same channel, marked: that re-entry stops here too.
        if (isRuntimeMessage(message)) return;
        const fields = typeof message === 'object' && message !== null ? (message as { source?: unknown; data?: unknown }) : undefined;
        const source = typeof fields?.source === 'string' && fields.source !== '' ? fields.source : 'diagnostics';
        // Publishers may put live objects (sockets, workers) in a message: keep a bounded, readable copy.
        sink.record(kind, source, readable(lifecycle ? (fields ? fields.data : message) : message));
      };
      diagnostics.subscribe(channel, onMessage);
      return () => void diagnostics.unsubscribe(channel, onMessage);
    });
    return () => {
      for (const unsubscribe of subscriptions) unsubscribe();
    };
  };
  return { label, attach };
}

function summarise(channels: string[]): string {
  return channels.length <= 3 ? channels.join(', ') : `${channels.slice(0, 3).join(', ')} and ${channels.length - 3} more`;
}

function validateBridgeOptions(options: unknown): { kinds: readonly string[]; channels: readonly string[] } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('bridgeDiagnostics options', options, "an object { kinds?: string[] | 'lifecycle', channels?: string[] }");
  }
  checkKnownKeys('bridgeDiagnostics options', options, ['kinds', 'channels']);
  const o = options as BridgeOptions;
  const kinds = o.kinds === undefined ? (o.channels === undefined ? LIFECYCLE_KINDS : []) : o.kinds === 'lifecycle' ? LIFECYCLE_KINDS : o.kinds;
  if (!Array.isArray(kinds)) throw new InvalidOptionError('bridgeDiagnostics.kinds', o.kinds, "'lifecycle' or an array of history kinds (non-empty strings)");
  const badKind = kinds.findIndex((k) => typeof k !== 'string' || k === '');
  if (badKind >= 0) throw new InvalidOptionError(`bridgeDiagnostics.kinds[${badKind}]`, kinds[badKind], 'a non-empty history kind string');
  const channels = o.channels ?? [];
  if (!Array.isArray(channels)) throw new InvalidOptionError('bridgeDiagnostics.channels', o.channels, 'an array of channel names (non-empty strings)');
  const badChannel = channels.findIndex((c) => typeof c !== 'string' || c === '' || c === CHANNEL_PREFIX);
  if (badChannel >= 0)
    throw new InvalidOptionError(
      `bridgeDiagnostics.channels[${badChannel}]`,
      channels[badChannel],
      `a non-empty channel name (not just ${JSON.stringify(CHANNEL_PREFIX)})`,
    );
  if (kinds.length === 0 && channels.length === 0) throw new InvalidOptionError('bridgeDiagnostics options', options, 'at least one kind or channel to bridge');
  return { kinds, channels };
}
