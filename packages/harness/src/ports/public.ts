/**
 * `@quiesce/harness/ports`: port leases and in-memory streams without Vitest. The main entry
 * builds Vitest fixtures and loads only inside a Vitest worker; a plain Node script (a chaos
 * script starting `osProcess` workers, a dev server) takes its port leases from here.
 */
export { memoryDuplex, MemoryDuplex } from './memory-duplex.js';
export { createPortAllocator, type PortAllocator, type PortLease } from './allocator.js';
export { PORT_DIR_ENV, type PortAllocatorOptions, type LoopbackHost } from './options.js';
