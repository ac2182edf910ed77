import { createServer, type Socket } from 'node:net';
import { test } from '@quiesce/harness';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parse, RedisReplyError, RespClient, StoreUnavailableError } from '../../src/resp.js';

describe('the RESP client', () => {
  test('parses replies whatever way they are cut into chunks', () => {
    const wire = Buffer.from('+OK\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n-ERR wrong\r\n');
    const expected = ['OK', 42, 'hello', null, ['a', 1], new RedisReplyError('ERR wrong')];
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 6 }), (cuts) => {
        // Feed it in pieces, as a socket would: only complete replies come out.
        let buffer = Buffer.alloc(0);
        const replies: unknown[] = [];
        let from = 0;
        for (const to of [...cuts.sort((a, b) => a - b), wire.length]) {
          buffer = Buffer.concat([buffer, wire.subarray(from, to)]);
          from = to;
          for (let parsed = parse(buffer, 0); parsed; parsed = parse(buffer, 0)) {
            replies.push(parsed.value);
            buffer = buffer.subarray(parsed.next);
          }
        }
        expect(replies).toEqual(expected);
      }),
    );
  });

  test('a server that never answers: a clear error, and a late reply is never taken for the next command', async ({ system }) => {
    // A stand-in Redis on 127.0.0.1:0: the first connection hangs, later ones answer PONG.
    const connections: Socket[] = [];
    const server = createServer((socket) => {
      connections.push(socket);
      if (connections.length > 1) socket.on('data', () => socket.write('+PONG\r\n'));
    });
    const port = await system.listen(server);
    const client = new RespClient({ port, commandTimeout: 200 });
    system.own({ kind: 'client', label: 'resp client', dispose: () => client.close(), alive: () => client.connected });

    await expect(client.command('PING')).rejects.toThrow(new StoreUnavailableError(`Redis at 127.0.0.1:${port} did not answer within 200 ms`));
    connections[0]!.write('+LATE\r\n'); // too late: that connection was dropped
    expect(await client.command('PING')).toBe('PONG');
    expect(connections).toHaveLength(2);
  });

  test('nothing listening: a clear error naming the address', async ({ system }) => {
    const port = await system.port(); // leased, and nobody listens on it
    const client = new RespClient({ port });
    system.own({ kind: 'client', label: 'resp client', dispose: () => client.close(), alive: () => client.connected });
    await expect(client.command('PING')).rejects.toThrow(`cannot reach Redis at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  test('a Redis still loading its data (LOADING) is unavailable (503, retry), not a failed request (500)', async ({ system }) => {
    // A stand-in Redis that answers every command the way a restarted one does while it reads its AOF back.
    const server = createServer((socket) =>
      socket.on('data', (chunk) =>
        socket.write(
          chunk.toString().includes('EXEC')
            ? '-LOADING Redis is loading the dataset in memory\r\n'.repeat(3)
            : '-LOADING Redis is loading the dataset in memory\r\n',
        ),
      ),
    );
    const port = await system.listen(server);
    const client = new RespClient({ port });
    system.own({ kind: 'client', label: 'resp client', dispose: () => client.close(), alive: () => client.connected });
    await expect(client.command('PING')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(client.transaction([['HSET', 'k', 'f', 'v']])).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
