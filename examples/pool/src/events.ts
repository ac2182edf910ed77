// The pool's own history events, declared so they are typed like the runtime's: a test waits on
// `system.until({ kind: 'pypool.retry' })` and reads `event.data.code` with its type. The namespace
// `pypool` becomes reserved, so a misspelt kind of ours is a compile error.
declare module '@quiesce/runtime' {
  interface QuiesceEvents {
    /** A request was handed to a worker (attempt 1, 2, ... when retried). */
    'pypool.dispatch': { request: number; worker: string; op: string; attempt: number; session?: string };
    /** A request's final answer: ok, or the error code it ended with. */
    'pypool.reply': { request: number; worker: string; ok: boolean; code?: string };
    /** A failed attempt that is tried again. */
    'pypool.retry': { request: number; worker: string; attempt: number; code: string };
    /** A request waits: every worker it may use is busy or restarting. */
    'pypool.queued': { request: number; depth: number };
    /** A session was pinned to a worker process. */
    'pypool.session_pin': { session: string; worker: string; pid: string };
    /** A session was ended by its owner and its variables deleted. */
    'pypool.session_end': { session: string; worker: string };
    /** A session's worker restarted: its variables are gone and the pool forgot it. */
    'pypool.session_lost': { session: string; worker: string };
    /** A worker process is up (at start and after every restart) on its port. */
    'pypool.worker_up': { worker: string; pid: string; port: number };
  }
}

export {};
