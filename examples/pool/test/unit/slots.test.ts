import { describe, expect, test } from 'vitest';
import { PoolError } from '../../src/index.js';
import { Slots } from '../../src/slots.js';

// The routing core, without any process: plain objects, no system needed.
describe('Slots', () => {
  const up = () => true;

  test('round robin over free workers, then a FIFO queue granted as slots free', async () => {
    const slots = new Slots(['w1', 'w2'], 1, 10, up);
    expect(await slots.acquire()).toBe('w1');
    expect(await slots.acquire()).toBe('w2');
    const order: string[] = [];
    const third = slots.acquire().then((w) => order.push(`third ${w}`));
    const fourth = slots.acquire().then((w) => order.push(`fourth ${w}`));
    expect(slots.queued).toBe(2);
    slots.release('w2');
    slots.release('w1');
    await Promise.all([third, fourth]);
    expect(order).toEqual(['third w2', 'fourth w1']);
    expect(slots.peakQueue).toBe(2);
  });

  test("a session's request waits for its own worker even when another is free", async () => {
    const slots = new Slots(['w1', 'w2'], 1, 10, up);
    await slots.acquire('w1');
    let granted: string | undefined;
    const pinned = slots.acquire('w1').then((w) => (granted = w));
    expect(await slots.acquire()).toBe('w2'); // the free worker goes to an unpinned request
    expect(granted).toBeUndefined();
    slots.release('w1');
    await pinned;
    expect(granted).toBe('w1');
  });

  test('a worker that is down is skipped; pump() grants its waiters when it is back', async () => {
    let w1Up = false;
    const slots = new Slots(['w1'], 2, 10, () => w1Up);
    const waiting = slots.acquire();
    expect(slots.queued).toBe(1);
    w1Up = true;
    slots.pump();
    expect(await waiting).toBe('w1');
  });

  test('a full queue refuses with POOL_SATURATED; close() fails the waiters and later requests', async () => {
    const slots = new Slots(['w1'], 1, 1, up);
    await slots.acquire();
    const queued = slots.acquire();
    await expect(slots.acquire()).rejects.toMatchObject({ code: 'POOL_SATURATED', status: 429 });
    slots.close(new PoolError('POOL_DOWN', 'gone'));
    await expect(queued).rejects.toMatchObject({ code: 'POOL_DOWN' });
    await expect(slots.acquire()).rejects.toMatchObject({ code: 'POOL_DOWN' });
  });
});
