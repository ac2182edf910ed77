import type { Server } from 'node:net';
import { callerLocation, type OwnedResource } from '../system/resources.js';
import { defaultPortAllocator, type PortAllocator, type PortLease } from './allocator.js';
import { listenOnFreePort, serverResource, validateListen, type ListenOptions } from './listen.js';

/** What the port tiers need from a TestSystem: ownership, the history, and external-op accounting. */
export interface PortHost {
  own<R extends OwnedResource>(resource: R, createdAt?: string): R;
  record(kind: string, source: string, data?: unknown): unknown;
  readonly runtime: { external<T>(promise: Promise<T>): Promise<T> };
}

const SOURCE = 'ports';

/**
 * Tier 4 for a TestSystem: lease a number, owned by the system until teardown (which releases it
 * and records `port.release`). Records `port.lease` { port, tier: 'lease', attempts }.
 */
export async function leaseFor(host: PortHost, allocator: PortAllocator = defaultPortAllocator()): Promise<number> {
  const createdAt = callerLocation();
  // The lease is real I/O: while it is in flight the system is not idle.
  const lease = await host.runtime.external(allocator.lease());
  try {
    host.own(leaseResource(lease, host), createdAt);
  } catch (error) {
    await lease.release(); // torn down meanwhile: nothing may stay reserved
    throw error;
  }
  host.record('port.lease', SOURCE, { port: lease.port, tier: 'lease', attempts: lease.attempts, ...(lease.reclaimed ? { reclaimed: true } : {}) });
  return lease.port;
}

function leaseResource(lease: PortLease, host: PortHost): OwnedResource {
  return {
    kind: 'lease',
    label: `port ${lease.port} (lease file ${lease.path})`,
    dispose: async () => {
      if (lease.released) return;
      await lease.release();
      host.record('port.release', SOURCE, { port: lease.port, tier: 'lease' });
    },
    alive: () => !lease.released,
  };
}

/**
 * Tier 2 for a TestSystem: bind `server` to port 0 on loopback and own it: teardown closes it and
 * destroys its open connections (records `port.close`). Records `port.listen` { port, tier: 'bind0' }.
 */
export function listenFor(host: PortHost, server: Server, options?: ListenOptions): Promise<number> {
  validateListen(server, options); // throws synchronously, before anything starts
  return listenOwned(host, server, options, callerLocation());
}

async function listenOwned(host: PortHost, server: Server, options: ListenOptions | undefined, createdAt: string): Promise<number> {
  const listening = await host.runtime.external(listenOnFreePort(server, options));
  try {
    host.own(
      serverResource(listening, (destroyed) => host.record('port.close', SOURCE, { port: listening.port, tier: 'bind0', destroyedConnections: destroyed })),
      createdAt,
    );
  } catch (error) {
    await listening.close();
    throw error;
  }
  host.record('port.listen', SOURCE, { port: listening.port, tier: 'bind0', host: listening.host });
  return listening.port;
}
