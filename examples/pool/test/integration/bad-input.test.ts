import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { PoolError } from '../../src/index.js';
import { startTestPool } from '../support/pool.js';

test('malformed requests get a clear 4xx and no acknowledged write is lost', async ({ system }) => {
  const pool = await startTestPool(system, { size: 1 });
  await pool.set('s', 'balance', 100); // acknowledged

  const refusals = await Promise.all(
    [
      { op: 'teleport' },
      { op: 'compute', fn: 'sum', args: 'not a list' },
      { op: 'compute', fn: 'sqrt', args: [4] },
      { op: 'set', session: 's', name: 42, value: 'x' },
      { op: 'get', session: 's' },
    ].map((request) =>
      pool.execute(request).then(
        () => undefined,
        (error: unknown) => error,
      ),
    ),
  );
  for (const error of refusals) {
    expect(error).toBeInstanceOf(PoolError);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400, retryable: false });
  }
  expect(refusals.map((e) => (e as PoolError).reason)).toEqual(['UNKNOWN_OP', 'BAD_FIELD', 'UNKNOWN_FUNCTION', 'BAD_FIELD', 'BAD_FIELD']);
  expect((refusals[0] as PoolError).message).toBe('worker w1 refused teleport: no operation "teleport"');
  expect((refusals[1] as PoolError).message).toContain(`'args' must be a list of numbers, got "not a list"`);

  // The worker is still the same process, and what it acknowledged is still there.
  expect(system.history.ofKind('child.restart')).toEqual([]);
  expect(await pool.get('s', 'balance')).toBe(100);
});

test('a line that is not JSON is refused by the worker with 400, and the connection stays usable', async ({ system }) => {
  const pool = await startTestPool(system, { size: 1 });
  const port = pool.workers()[0]!.port;
  const { connect } = await import('node:net');
  const answers = await new Promise<string[]>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('{not json\n{"op":"ping"}\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      text += data;
      const lines = text.split('\n').filter(Boolean);
      if (lines.length === 2) {
        socket.destroy();
        resolve(lines);
      }
    });
    socket.on('error', reject);
  });
  expect(JSON.parse(answers[0]!)).toMatchObject({ ok: false, error: { status: 400, code: 'BAD_JSON' } });
  expect(JSON.parse(answers[1]!)).toMatchObject({ ok: true, result: 'pong' });
});
