import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { osProcess, supervisor } from '@quiesce/runtime';
import { test } from '@quiesce/harness';
import '@quiesce/assertions';

// A realistic pool, the first test a user of a worker pool writes: supervised OS workers, each on a
// port leased from the harness and ready on a stdout line; a job over TCP crashes one; the restart is
// asserted from the history and the pool serves again. QUIESCE_POOL_REPEATS repeats it (the soak
// lane runs it 200 times, part of them under CPU load).
const node = process.execPath;
const worker = fileURLToPath(new URL('../../../harness/test/fixtures/tcp-worker.mjs', import.meta.url));
const repeats = Number(process.env.QUIESCE_POOL_REPEATS ?? 0);

/** One request over TCP: send a line, resolve with the first line of the answer (or at close). */
function request(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${line}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\n')) {
        socket.end();
        resolve(answer.split('\n')[0]!);
      }
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('a pool of OS workers', () => {
  test('a job over TCP crashes a worker; it is restarted on its port and the pool keeps serving', { repeats }, async ({ system }) => {
    const ports = [await system.port(), await system.port(), await system.port()];
    const pool = await system.start(
      supervisor({
        id: 'pool',
        strategy: 'one_for_one',
        intensity: 3,
        period: 5,
        children: ports.map((port, i) => osProcess(`w${i + 1}`, { command: node, args: [worker, String(port)], ready: /^ready \d+$/, shutdown: 2000 })),
      }),
    );
    expect(pool).toHaveChildren(['w1', 'w2', 'w3']);
    expect(await Promise.all(ports.map((port) => request(port, `echo hi ${port}`)))).toEqual(ports.map((port) => `hi ${port}`));

    const mark = system.mark();
    const before = pool.child('w2');
    await request(ports[1]!, 'crash');
    // The restart may already have landed: counted from the mark, it is never missed.
    await expect(pool).toRestart('w2', { since: mark });
    await expect(pool).not.toRestart('w1', { since: mark });
    expect(pool.child('w2')).not.toEqual(before);
    expect(await request(ports[1]!, 'echo again')).toBe('again');
    expect(system.history.ofKind('os.exit').map((e) => e.data)).toContainEqual(expect.objectContaining({ code: 1 }));
  });
});
