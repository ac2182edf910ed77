import { describe, expect, test } from 'vitest';
import { PoolError } from '../../src/index.js';
import { asPoolError } from '../../src/errors.js';

describe('PoolError', () => {
  test('socket failures map to pool codes with their status and retryability', () => {
    const cases = [
      [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'WORKER_UNREACHABLE', 503, true],
      [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'WORKER_DISCONNECTED', 502, true],
      [Object.assign(new Error('slow'), { code: 'ETIMEDOUT' }), 'TIMEOUT', 504, true],
      [new Error('anything else'), 'WORKER_CRASHED', 502, true],
    ] as const;
    for (const [cause, code, status, retryable] of cases) {
      const error = asPoolError(cause, 'w1');
      expect(error).toMatchObject({ code, status, retryable });
      expect(error.message).toContain('w1');
      expect(error.cause).toBe(cause);
    }
  });

  test("the caller's mistakes are 4xx and never retried", () => {
    expect(new PoolError('BAD_REQUEST', 'no')).toMatchObject({ status: 400, retryable: false });
    expect(new PoolError('BAD_REQUEST', 'no', { status: 404, reason: 'NO_VARIABLE' })).toMatchObject({ status: 404, reason: 'NO_VARIABLE' });
    expect(new PoolError('POOL_SATURATED', 'busy')).toMatchObject({ status: 429, retryable: false });
    expect(new PoolError('SESSION_LOST', 'gone')).toMatchObject({ status: 410, retryable: false });
  });
});
