import { once } from 'node:events';
import { memoryDuplex, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';

describe('memoryDuplex() (tier 1: no port)', () => {
  test('what one end writes the other reads, in order, both ways', async () => {
    const [client, server] = memoryDuplex();
    server.on('data', (chunk: Buffer) => server.write(`echo:${chunk.toString()}`));
    client.write('a');
    const [first] = (await once(client, 'data')) as [Buffer];
    expect(first.toString()).toBe('echo:a');
    client.write('b');
    const [second] = (await once(client, 'data')) as [Buffer];
    expect(second.toString()).toBe('echo:b');
  });

  test('end() is EOF for the peer, which (not half-open, like a socket) ends too; both close', async () => {
    const [a, b] = memoryDuplex();
    const received: string[] = [];
    b.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    a.resume();
    const closed = Promise.all([once(a, 'close'), once(b, 'close')]);
    a.end('last words');
    await once(b, 'end');
    expect(received).toEqual(['last words']);
    await closed;
    expect(a.destroyed && b.destroyed).toBe(true);
  });

  test('allowHalfOpen keeps the other direction open after EOF', async () => {
    const [a, b] = memoryDuplex({ allowHalfOpen: true });
    b.resume();
    a.end();
    await once(b, 'end');
    const reply = once(a, 'data');
    b.write('still here');
    const [chunk] = (await reply) as [Buffer];
    expect(chunk.toString()).toBe('still here');
  });

  test("backpressure: a write completes only once the peer has room, and 'drain' follows its reads", async () => {
    const [a, b] = memoryDuplex({ highWaterMark: 4 });
    // b does not read: its buffer fills, a's write is held, a's own buffer fills, write() says stop.
    let ok = true;
    let writes = 0;
    while (ok && writes < 100) {
      ok = a.write('xxxx');
      writes++;
    }
    expect(ok).toBe(false);
    expect(writes).toBeLessThan(100);
    const drained = once(a, 'drain');
    let read = 0;
    b.on('data', (chunk: Buffer) => (read += chunk.length));
    await drained;
    expect(read).toBeGreaterThan(0);
  });

  test('destroy() is EOF for the peer, whose later writes fail with EPIPE', async () => {
    const [a, b] = memoryDuplex({ allowHalfOpen: true });
    b.resume();
    const ended = once(b, 'end');
    a.destroy();
    await ended;
    b.write('anyone?');
    const [error] = (await once(b, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('EPIPE');
  });
});
