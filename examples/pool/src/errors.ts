/** What a request to the pool can fail with: a code to branch on and the HTTP-like status it maps to. */
export type PoolErrorCode =
  | 'BAD_REQUEST' // the worker refused the request (malformed, unknown op, bad field): 4xx, never retried
  | 'WORKER_CRASHED' // the worker died with the request in flight
  | 'WORKER_DISCONNECTED' // the connection closed or reset before the answer ended
  | 'WORKER_UNREACHABLE' // nothing listened on the worker's port
  | 'TIMEOUT' // no answer in time
  | 'SESSION_LOST' // the session's worker restarted: its variables are gone
  | 'POOL_SATURATED' // every worker busy and the queue full
  | 'POOL_DOWN'; // the pool's supervisor gave up or was stopped

export class PoolError extends Error {
  readonly code: PoolErrorCode;
  /** 4xx for the caller's mistakes and for saturation, 5xx/503 for the pool's failures. */
  readonly status: number;
  /** The worker's own error code when it refused the request (BAD_JSON, UNKNOWN_OP, NO_VARIABLE, ...). */
  readonly reason: string | undefined;

  constructor(code: PoolErrorCode, message: string, options: { status?: number; reason?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PoolError';
    this.code = code;
    this.status = options.status ?? STATUS[code];
    this.reason = options.reason;
  }

  /** Failures where the same request may succeed on another try (another worker, or the restarted one). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

const STATUS: Record<PoolErrorCode, number> = {
  BAD_REQUEST: 400,
  WORKER_CRASHED: 502,
  WORKER_DISCONNECTED: 502,
  WORKER_UNREACHABLE: 503,
  TIMEOUT: 504,
  SESSION_LOST: 410,
  POOL_SATURATED: 429,
  POOL_DOWN: 503,
};

const RETRYABLE = new Set<PoolErrorCode>(['WORKER_CRASHED', 'WORKER_DISCONNECTED', 'WORKER_UNREACHABLE', 'TIMEOUT']);

/** Any failure as a PoolError: errors from a wrapped transport (ECONNRESET, ETIMEDOUT, ...) are mapped by their code. */
export function asPoolError(error: unknown, worker: string): PoolError {
  if (error instanceof PoolError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return new PoolError('WORKER_UNREACHABLE', `worker ${worker} is not listening: ${message}`, { cause: error });
  if (code === 'ETIMEDOUT') return new PoolError('TIMEOUT', `worker ${worker} did not answer in time: ${message}`, { cause: error });
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new PoolError('WORKER_DISCONNECTED', `connection to worker ${worker} lost: ${message}`, { cause: error });
  return new PoolError('WORKER_CRASHED', `worker ${worker} failed: ${message}`, { cause: error });
}
