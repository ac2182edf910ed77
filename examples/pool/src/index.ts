export { startPool, Pool, WORKER_SCRIPT, type Reply, type WorkerInfo } from './pool.js';
export { PoolError, type PoolErrorCode } from './errors.js';
export { tcpTransport, type Transport, type PoolRequest, type FinalMessage, type WorkerTarget } from './protocol.js';
export type { PoolOptions } from './options.js';
