import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { startTestPool } from '../support/pool.js';

test('a streaming reply arrives chunk by chunk, in order, and ends', async ({ system }) => {
  const pool = await startTestPool(system, { size: 2 });
  const chunks = ['the', 'quick', { brown: 'fox' }, 3, 'jumps'];
  const stream = pool.stream({ op: 'stream', chunks });
  const seen: unknown[] = [];
  let next = await stream.next();
  while (!next.done) {
    seen.push(next.value);
    next = await stream.next();
  }
  expect(seen).toEqual(chunks);
  // The end carries the final answer: how many chunks, and which worker streamed them.
  expect(next.value).toMatchObject({ result: chunks.length, worker: expect.stringMatching(/^w[12]$/) });
  // The slot is free again: a plain request goes through.
  expect((await pool.execute({ op: 'echo', payload: 'after' })).result).toBe('after');
});

test('concurrent streams keep their own chunks in their own order', async ({ system }) => {
  const pool = await startTestPool(system, { size: 2, capacity: 2 });
  const collect = async (prefix: string) => {
    const out: unknown[] = [];
    for await (const chunk of pool.stream({ op: 'stream', chunks: Array.from({ length: 20 }, (_, i) => `${prefix}${i}`) })) out.push(chunk);
    return out;
  };
  const [a, b, c] = await Promise.all([collect('a'), collect('b'), collect('c')]);
  expect(a).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
  expect(b).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
  expect(c).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
});
