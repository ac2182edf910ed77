/**
 * Ports (docs/architecture.md, "Ports"), best tier first; the tier used is recorded in the history:
 * 1. no port: `memoryDuplex()`, an in-memory connected pair (preferred);
 * 2. `system.listen(server)`: bind 127.0.0.1:0 and hand the bound server back;
 * 3. the child binds 0 and reports its port (ready line, IPC or port file);
 * 4. `system.port()` / `createPortAllocator().lease()`: a number leased from a host-wide lock
 *    directory, outside the ephemeral range, bind-verified.
 */
export { memoryDuplex, MemoryDuplex } from './memory-duplex.js';
export { listenOnFreePort, type ListenOptions, type ListeningServer } from './listen.js';
export { createPortAllocator, defaultPortAllocator, type PortAllocator, type PortAllocatorLayout, type PortLease } from './allocator.js';
export { PORT_DIR_ENV, RUN_ID_ENV, POOL_ID_ENV, type PortAllocatorOptions, type LoopbackHost } from './options.js';
export { DEFAULT_LEASE_RANGE, DEFAULT_EPHEMERAL_RANGE, readEphemeralRange, type PortRange } from './layout.js';
export { processStartTime, ownerGone, type ProcessIdentity } from './proc-start-time.js';
export { leaseFor, listenFor, type PortHost } from './system-ports.js';
