import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { QuiesceError } from '@quiesce/runtime';
import { createTestSystem, defaultPortAllocator, listenOnFreePort, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';

describe('system.port() (tier 4 through the TestSystem)', () => {
  test('leases a number reserved until teardown, which releases it; both are in the history', async () => {
    const system = createTestSystem({ testId: 'port-lease' });
    const port = await system.port();
    const path = join(defaultPortAllocator().dir, `port-${port}`);
    expect(existsSync(path)).toBe(true);
    expect(system.history.ofKind('port.lease')).toMatchObject([{ source: 'ports', data: { port, tier: 'lease', attempts: 1 } }]);
    await system.teardown();
    expect(existsSync(path)).toBe(false);
    expect(system.history.ofKind('port.release')).toMatchObject([{ data: { port, tier: 'lease' } }]);
    expect(() => system.port()).toThrow(/torn down/);
  });

  test('releasePort(port) gives a number back before teardown: the file goes, port.release is recorded, nothing is left to leak', async () => {
    const system = createTestSystem({ testId: 'port-release-early' });
    const port = await system.port();
    const path = join(defaultPortAllocator().dir, `port-${port}`);
    expect(system.leftovers()).toMatchObject([{ kind: 'lease', label: `port ${port} (lease file ${path})` }]);
    await system.releasePort(port);
    expect(existsSync(path)).toBe(false);
    expect(system.leftovers()).toEqual([]);
    expect(system.history.ofKind('port.release')).toMatchObject([{ source: 'ports', data: { port, tier: 'lease' } }]);
    await system.releasePort(port); // idempotent
    const expected = `releasePort(port): got 80; expected a port this system leased with system.port() (leased: ${port})`;
    expect(() => system.releasePort(80)).toThrow(expected);
    expect(() => system.releasePort('80' as never)).toThrow(QuiesceError);
    await system.teardown(); // no leak, and no second release
    expect(system.history.ofKind('port.release')).toHaveLength(1);
  });

  test('numbers leased by one system are distinct', async ({ system }) => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => system.port()));
    expect(new Set(ports).size).toBe(20);
  });
});

describe('system.listen() (tier 2: bind 0)', () => {
  test('hands back the server bound on 127.0.0.1 and records the tier; teardown closes it', async () => {
    const system = createTestSystem({ testId: 'listen' });
    const server = createServer((socket) => socket.end('hello'));
    const port = await system.listen(server);
    expect(server.listening).toBe(true);
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port });
    expect(system.history.ofKind('port.listen')).toMatchObject([{ source: 'ports', data: { port, tier: 'bind0', host: '127.0.0.1' } }]);
    const client = connect(port, '127.0.0.1');
    const [greeting] = (await once(client, 'data')) as [Buffer];
    expect(greeting.toString()).toBe('hello');
    await system.teardown();
    expect(server.listening).toBe(false);
  });

  test('teardown destroys connections a client keeps open, so the leak check passes', async () => {
    const system = createTestSystem({ testId: 'listen-open-socket' });
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // never ended: the connection stays busy
    });
    const port = await system.listen(server);
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '/' }, resolve).on('error', reject).end(),
    );
    await once(response, 'data');
    const clientClosed = once(response.socket, 'close');
    await system.teardown(); // would throw a LeakError if the server or the connection outlived it
    await clientClosed;
    expect(server.listening).toBe(false);
    expect(system.history.ofKind('port.close')).toMatchObject([{ data: { port, tier: 'bind0', destroyedConnections: 1 } }]);
  });

  test('binds ::1 when asked', async ({ system }) => {
    const server = createServer();
    const port = await system.listen(server, { host: '::1' });
    expect(server.address()).toMatchObject({ address: '::1', port });
  });

  test('listenOnFreePort works without a system; close() leaves nothing alive', async () => {
    const server = createServer();
    const listening = await listenOnFreePort(server);
    const client = connect(listening.port, '127.0.0.1');
    await once(server, 'connection');
    expect(listening.alive()).toBe(true);
    const clientClosed = once(client, 'close');
    await expect(listening.close()).resolves.toBe(1);
    expect(listening.alive()).toBe(false);
    await clientClosed;
  });

  test('bad arguments throw a QuiesceError naming the option, and nothing is left listening', async ({ system }) => {
    expect(() => system.listen({} as never)).toThrow(QuiesceError);
    expect(() => system.listen({} as never)).toThrow(/listen\(server\): got \{\}; expected a net\.Server or http\.Server/);
    const server = createServer();
    expect(() => system.listen(server, { host: '0.0.0.0' as never })).toThrow(/listen\.host: got "0\.0\.0\.0"; expected '127\.0\.0\.1' or '::1'/);
    expect(() => system.listen(server, { port: 80 } as never)).toThrow(/listen options\.port: got 80/);
    expect(server.listening).toBe(false);
    await system.listen(server);
    const port = (server.address() as AddressInfo).port;
    expect(() => system.listen(server)).toThrow(new RegExp(`already listening on .*${port}.*; expected a server that is not listening yet`));
  });
});
