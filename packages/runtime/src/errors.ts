/**
 * Every public API rejects bad input with a QuiesceError subclass carrying a stable `code`.
 * Messages name the option, the value received and what is accepted (docs/architecture.md, "Errors").
 */
export type QuiesceErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_CHILD_SPEC'
  | 'DUPLICATE_CHILD_ID'
  | 'NAME_TAKEN'
  | 'NOPROC'
  | 'CALL_TIMEOUT'
  | 'CALL_EXIT'
  | 'START_FAILED'
  // A server callback returned something that is none of its results (OTP's bad_return_value).
  | 'BAD_RETURN'
  | 'MAX_CHILDREN'
  // A spawn refused at the runtime's process limit (OTP's system_limit).
  | 'SYSTEM_LIMIT'
  | 'CHILD_NOT_FOUND'
  | 'CHILD_RUNNING'
  | 'CHILD_RESTARTING'
  | 'REPLAY_DIVERGED'
  // A listener the runtime called (watchMailbox) threw; recorded as runtime.listener_error.
  | 'LISTENER_ERROR'
  | 'RUNTIME_STOPPED'
  | 'SPAWN_FAILED'
  | 'READY_TIMEOUT'
  | 'TIMEOUT'
  | 'AFTER_TEARDOWN'
  | 'LEAK'
  | 'PORT_EXHAUSTED'
  | 'PORT_DIR_UNSAFE'
  | 'PORT_FS_ERROR'
  // @quiesce/chaos: a fault aimed at something the current system did not start.
  | 'NOT_OWNED'
  // The harness's msw helpers and property tests, and the matchers' seed sweeps.
  | 'REQUEST_EXPECTATION'
  | 'UNHANDLED_REQUEST'
  | 'PROPERTY_FAILED'
  | 'SWEEP_FAILED'
  // @quiesce/chaos's concurrent scenarios: a history no sequential order explains.
  | 'NOT_LINEARIZABLE'
  // The harness's containers.
  | 'MISSING_PEER'
  | 'NO_CONTAINER_ENGINE'
  | 'CONTAINER_FAILED'
  | 'CONTAINER_IN_USE'
  // The harness's main entry (Vitest fixtures) imported outside a Vitest worker.
  | 'OUTSIDE_VITEST';

export class QuiesceError extends Error {
  readonly code: QuiesceErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: QuiesceErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Bad input to a public API: names the option, the value and what is accepted. */
export class InvalidOptionError extends QuiesceError {
  constructor(option: string, value: unknown, accepted: string, code: QuiesceErrorCode = 'INVALID_OPTION') {
    super(code, `${option}: got ${describeValue(value)}; expected ${accepted}`, { option, value, accepted });
  }
}

/**
 * An option key that is not accepted (almost always a typo): names the key, the value given, the
 * closest accepted key when one is near, and every accepted key. An InvalidOptionError.
 */
export class UnknownOptionError extends InvalidOptionError {
  constructor(where: string, key: string, value: unknown, known: readonly string[], suggestion: string | undefined, code: QuiesceErrorCode = 'INVALID_OPTION') {
    const accepts = known.length === 0 ? 'accepts no options' : `accepts ${known.map((k) => `'${k}'`).join(', ')}`;
    super(`${where}.${key}`, value, `no such option (${accepts})`, code);
    // Same shape as every InvalidOptionError ("option: got value; ..."), with the likely fix first.
    const guess = suggestion === undefined ? '' : `, did you mean '${suggestion}'?`;
    this.message = `${where}.${key}: got ${describeValue(value)}; no such option${guess} (${accepts})`;
    Object.assign(this.details, { key, known: [...known], suggestion });
  }
}

/**
 * A spawn refused because the runtime already runs its limit of processes: OTP's `system_limit`
 * (erlang:spawn raises it at +P). As an exit reason it serialises to `{ error: 'SystemLimitError', … }`.
 */
export class SystemLimitError extends QuiesceError {
  constructor(limit: number, operation = 'spawn') {
    super('SYSTEM_LIMIT', `${operation}: system_limit (the runtime already runs its limit of ${limit} processes)`, { limit, operation });
  }
}

/** A process that does not exist (or no longer does) was addressed where one is required. */
export class NoProcError extends QuiesceError {
  constructor(target: string, operation: string) {
    super('NOPROC', `${operation}: no process ${target}`, { target, operation });
  }
}

/** A call that got no reply within its timeout. */
export class CallTimeoutError extends QuiesceError {
  constructor(target: string, timeoutMs: number) {
    super('CALL_TIMEOUT', `call to ${target} timed out after ${timeoutMs} ms`, { target, timeoutMs });
  }
}

/** A call whose server exited before replying; `reason` is the server's exit reason. */
export class CallExitError extends QuiesceError {
  readonly reason: unknown;
  constructor(target: string, reason: unknown) {
    super('CALL_EXIT', `call to ${target} failed: the server exited with ${formatValue(reason)}`, { target });
    this.reason = reason;
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return `an array of ${value.length}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Compact, stable rendering of any term (exit reasons, messages) for messages and timelines. */
export function formatValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  return describeValue(value);
}
