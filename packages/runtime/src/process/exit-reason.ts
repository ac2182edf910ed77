/**
 * Exit reasons follow OTP. `normal`, `shutdown` and `{ shutdown: term }` are the "normal" family
 * (a transient child is not restarted after them); `kill` is the untrappable signal and a process
 * killed by it exits with `killed`. Anything else (an Error, a string, an object) is abnormal.
 */
export type ShutdownReason = { readonly shutdown: unknown };
export type ExitReason = 'normal' | 'shutdown' | 'kill' | 'killed' | ShutdownReason | Error | string | object;

export function isShutdownTuple(reason: unknown): reason is ShutdownReason {
  return typeof reason === 'object' && reason !== null && !(reason instanceof Error) && Object.keys(reason).length === 1 && 'shutdown' in reason;
}

/** normal, shutdown or {shutdown: term}: the exits after which a transient child stays down. */
export function isNormalExit(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || isShutdownTuple(reason);
}

/** The message a trapping process receives for an exit signal. */
export interface ExitMessage {
  readonly type: 'EXIT';
  readonly from: import('./pid.js').Pid;
  readonly reason: ExitReason;
}

/** The message a monitoring process receives when the monitored process exits. */
export interface DownMessage {
  readonly type: 'DOWN';
  readonly ref: number;
  readonly pid: import('./pid.js').Pid;
  readonly reason: ExitReason | 'noproc';
}

export function isExitMessage(msg: unknown): msg is ExitMessage {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'EXIT' && 'from' in msg;
}

export function isDownMessage(msg: unknown): msg is DownMessage {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'DOWN' && 'ref' in msg;
}

/** A JSON-safe, stable form of a reason for the history and for traces. */
export function serialiseReason(reason: unknown): unknown {
  if (reason instanceof Error) return { error: reason.name, message: reason.message };
  if (typeof reason === 'object' && reason !== null) {
    try {
      return JSON.parse(JSON.stringify(reason));
    } catch {
      return safeString(reason);
    }
  }
  return reason;
}

/** String(value), or its tag for an object that cannot be turned into a string (no prototype, a throwing toString). */
function safeString(value: object): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
