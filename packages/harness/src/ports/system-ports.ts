import type { Server } from 'node:net';
import { InvalidOptionError } from '@quiesce/runtime';
import type { EventRecorder } from '../events.js';
import { callerLocation, type OwnedResource } from '../system/resources.js';
import { defaultPortAllocator, type PortAllocator, type PortLease } from './allocator.js';
import { listenOnFreePort, serverResource, validateListen, type ListenOptions } from './listen.js';

/** What the port tiers need from a TestSystem: ownership, the history, and external-op accounting. */
export interface PortHost extends EventRecorder {
  own<R extends OwnedResource>(resource: R, createdAt?: string): R;
  readonly runtime: { external<T>(promise: Promise<T>): Promise<T> };
}

const SOURCE = 'ports';

/** Each system's leases by port, for `releasePort(port)`; the latest lease of a number wins. */
const leasesOf = new WeakMap<PortHost, Map<number, OwnedResource>>();

/**
 * Tier 4 for a TestSystem: lease a number, owned by the system until `releasePort(port)` or
 * teardown (either releases it and records `port.release`). Records `port.lease` { port, tier: 'lease', attempts }.
 */
export async function leaseFor(host: PortHost, allocator: PortAllocator = defaultPortAllocator()): Promise<number> {
  const createdAt = callerLocation();
  // The lease is real I/O: while it is in flight the system is not idle.
  const lease = await host.runtime.external(allocator.lease());
  const resource = leaseResource(lease, host);
  try {
    host.own(resource, createdAt);
  } catch (error) {
    await lease.release(); // torn down meanwhile: nothing may stay reserved
    throw error;
  }
  let leases = leasesOf.get(host);
  if (!leases) leasesOf.set(host, (leases = new Map()));
  leases.set(lease.port, resource);
  host.record('port.lease', SOURCE, { port: lease.port, tier: 'lease', attempts: lease.attempts, ...(lease.reclaimed ? { reclaimed: true } : {}) });
  return lease.port;
}

/**
 * Give back, before teardown, a number `host` leased: the lease file is deleted and
 * `port.release` recorded, so the leak check no longer counts it. Idempotent. Throws
 * (synchronously) for a number this system never leased.
 */
export function releaseFor(host: PortHost, port: number): Promise<void> {
  const leases = leasesOf.get(host);
  const resource = typeof port === 'number' ? leases?.get(port) : undefined;
  if (!resource) {
    const known = leases && leases.size > 0 ? [...leases.keys()].join(', ') : 'none';
    throw new InvalidOptionError('releasePort(port)', port, `a port this system leased with system.port() (leased: ${known})`);
  }
  return Promise.resolve(resource.dispose());
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
