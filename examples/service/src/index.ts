export { createHttpServer, MAX_BODY } from './http.js';
export { SessionService, MAX_CODE, type ExecResult, type SessionOptions } from './sessions.js';
export { RespClient, StoreUnavailableError, RedisReplyError, type Reply, type RespClientOptions } from './resp.js';
export { MemoryKeyValue, type KeyValue } from './kv.js';
export { ServiceError } from './errors.js';
export { run, type RunResult, type Value } from './interpreter.js';
