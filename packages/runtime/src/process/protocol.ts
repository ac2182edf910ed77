import type { Pid } from './pid.js';

/** Marks a call envelope in a mailbox; servers unwrap it, plain processes see it as a message. */
export const CALL: unique symbol = Symbol.for('quiesce.call');
/** Marks a system request (sync, get_state), answered by the runtime or the behaviour, never by user code. */
export const SYSTEM: unique symbol = Symbol.for('quiesce.system');

/** Who is waiting for a reply: the calling process (null for code outside any process) and a unique ref. */
export interface From {
  readonly caller: Pid | null;
  readonly ref: number;
}

export interface CallEnvelope {
  readonly [CALL]: true;
  readonly request: unknown;
  readonly from: From;
}

export type SystemRequest = 'sync' | 'get_state';

/** A system request in a mailbox: answered by the runtime (sync) or the behaviour (get_state). */
export interface SystemEnvelope {
  readonly [SYSTEM]: SystemRequest;
  readonly from: From;
}

export function isCallEnvelope(message: unknown): message is CallEnvelope {
  return typeof message === 'object' && message !== null && CALL in message;
}

/** Casts travel as `{ $cast: message }` so a server can tell them from plain info messages. */
export function isCastEnvelope(message: unknown): message is { $cast: unknown } {
  return typeof message === 'object' && message !== null && Object.keys(message).length === 1 && '$cast' in message;
}
