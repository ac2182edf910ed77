import type { AddressInfo, Server, Socket } from 'node:net';
import { Server as NetServer } from 'node:net';
import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys } from '@quiesce/runtime/internal';
import type { OwnedResource } from '../core/resources.js';
import { LOOPBACK_HOSTS, type LoopbackHost } from './options.js';

export interface ListenOptions {
  /** The loopback address to bind. Default '127.0.0.1'. */
  host?: LoopbackHost;
}

/** A server bound by `listenOnFreePort`, with what teardown needs to close it completely. */
export interface ListeningServer {
  readonly port: number;
  readonly host: LoopbackHost;
  /**
   * Stop accepting, destroy every open connection (so `close` cannot hang on a keep-alive
   * client) and resolve once the server has closed. Idempotent. Resolves with the number of
   * connections it had to destroy.
   */
  close(): Promise<number>;
  /** Listening, or still holding an open connection. */
  alive(): boolean;
}

export function validateListen(server: unknown, options: unknown, operation = 'listen'): { server: Server; host: LoopbackHost } {
  if (!(server instanceof NetServer))
    throw new InvalidOptionError(`${operation}(server)`, server, 'a net.Server or http.Server (net.createServer(), http.createServer())');
  if (server.listening)
    throw new InvalidOptionError(
      `${operation}(server)`,
      `a server already listening on ${JSON.stringify(server.address())}`,
      'a server that is not listening yet',
    );
  if (options === undefined) return { server, host: '127.0.0.1' };
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidOptionError(`${operation} options`, options, 'an object { host? }');
  checkKnownKeys(`${operation} options`, options, ['host']);
  const host = (options as ListenOptions).host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host)) throw new InvalidOptionError(`${operation}.host`, host, "'127.0.0.1' or '::1'");
  return { server, host };
}

/**
 * Tier 2 of the port tiers (docs/architecture.md, "Ports"): bind `server` to port 0 on a loopback address and hand it back bound.
 * The kernel picks a free number, so nothing can collide; the number is known only after the
 * bind, which is why this tier needs the server itself rather than a number.
 */
export function listenOnFreePort(server: Server, options?: ListenOptions): Promise<ListeningServer> {
  const { host } = validateListen(server, options); // throws synchronously, before anything starts
  return bindZero(server, host);
}

async function bindZero(server: Server, host: LoopbackHost): Promise<ListeningServer> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen({ port: 0, host, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
  } catch (error) {
    server.off('connection', track);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<number> | undefined;
  return {
    port,
    host,
    close: () =>
      (closing ??= new Promise<number>((resolve) => {
        const open = [...sockets].filter((s) => !s.destroyed);
        if (!server.listening) {
          for (const socket of open) socket.destroy();
          resolve(open.length);
          return;
        }
        server.close(() => resolve(open.length));
        // http.Server tracks its own connections (idle and active); a net.Server does not.
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        for (const socket of open) socket.destroy();
      })),
    alive: () => server.listening || [...sockets].some((s) => !s.destroyed),
  };
}

/** The OwnedResource a TestSystem keeps for a listened server. */
export function serverResource(listening: ListeningServer, onClosed: (destroyed: number) => void): OwnedResource {
  let closed = false;
  return {
    kind: 'server',
    label: `server listening on ${listening.host === '::1' ? '[::1]' : listening.host}:${listening.port}`,
    dispose: async () => {
      const destroyed = await listening.close();
      if (!closed) {
        closed = true;
        onClosed(destroyed);
      }
    },
    alive: () => listening.alive(),
    external: () => listening.alive(),
  };
}
