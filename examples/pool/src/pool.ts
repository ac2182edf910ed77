import { fileURLToPath } from 'node:url';
import { osProcess, Pid, type Runtime, startSupervisor, supervisor, type ChildSpec, type SupervisorRef } from '@quiesce/runtime';
import { asPoolError, PoolError } from './errors.js';
import './events.js';
import { resolvePoolOptions, type PoolOptions, type ResolvedPoolOptions } from './options.js';
import { tcpTransport, type FinalMessage, type PoolRequest, type Transport, type WorkerTarget } from './protocol.js';
import { Sessions } from './sessions.js';
import { Slots } from './slots.js';

/** The worker program shipped with the pool. */
export const WORKER_SCRIPT = fileURLToPath(new URL('../workers/worker.py', import.meta.url));

/** A successful answer: the worker's result and which worker gave it. */
export interface Reply<T = unknown> {
  readonly result: T;
  readonly worker: string;
}

/** What a worker is doing now. */
export interface WorkerInfo {
  readonly id: string;
  readonly port: number;
  /** The runtime process standing for the worker's OS process; undefined while it restarts. */
  readonly pid: Pid | undefined;
  readonly busy: number;
}

/**
 * A supervised pool of Python workers. Each worker is an OS process (an `osProcess` child of the
 * pool's supervisor) listening on its own port; the supervisor restarts one that dies. Requests
 * take a slot of a worker (round robin), session requests always go to the session's worker, and
 * retryable failures are tried again on whichever worker is free.
 */
export class Pool {
  readonly #rt: Runtime;
  readonly #options: ResolvedPoolOptions;
  readonly #ports: ReadonlyMap<string, number>;
  readonly #transport: Transport;
  readonly #sessions = new Sessions();
  readonly #slots: Slots;
  /** Each worker's current process, as its start returned it (ahead of the supervisor's own table). */
  readonly #live = new Map<string, Pid>();
  #ref: SupervisorRef | undefined;
  #requests = 0;

  /** Use `startPool`; the constructor only wires the parts. */
  private constructor(rt: Runtime, options: ResolvedPoolOptions, ports: ReadonlyMap<string, number>) {
    this.#rt = rt;
    this.#options = options;
    this.#ports = ports;
    this.#transport = options.transport ?? tcpTransport;
    this.#slots = new Slots([...ports.keys()], options.capacity, options.queueLimit, (id) => this.#current(id) !== undefined);
  }

  /** @internal The body of startPool. */
  static async start(rt: Runtime, input: PoolOptions): Promise<Pool> {
    const options = resolvePoolOptions(input);
    const ids = Array.from({ length: options.size }, (_, i) => `w${i + 1}`);
    const ports = new Map<string, number>();
    for (const id of ids) ports.set(id, await options.port(id));
    const pool = new Pool(rt, options, ports);
    const spec = supervisor({
      id: 'pool',
      strategy: 'one_for_one',
      intensity: options.maxRestarts,
      period: options.period,
      children: ids.map((id) => pool.#workerSpec(id, ports.get(id)!)),
    });
    pool.#ref = await (options.start ?? ((s) => startSupervisor(rt, s)))(spec);
    pool.#watch(pool.#ref);
    return pool;
  }

  /** The pool's supervisor (its children are the workers `w1`, `w2`, ...). */
  get supervisor(): SupervisorRef {
    return this.#ref!;
  }

  workers(): WorkerInfo[] {
    return [...this.#ports].map(([id, port]) => ({ id, port, pid: this.#current(id), busy: this.#slots.busy(id) }));
  }

  /** The longest the request queue has been since the pool started. */
  get peakQueue(): number {
    return this.#slots.peakQueue;
  }

  /** Sessions the pool holds, by id. */
  sessions(): string[] {
    return this.#sessions.ids();
  }

  /** Send a request; resolves with the final answer's result. A refused request rejects with PoolError BAD_REQUEST (4xx). */
  async execute<T = unknown>(request: PoolRequest): Promise<Reply<T>> {
    return this.#run<T>(request, () => undefined);
  }

  /** Send a request whose answer comes in chunks: yields each chunk as it arrives, in order. */
  async *stream(request: PoolRequest): AsyncGenerator<unknown, Reply> {
    const chunks: unknown[] = [];
    let wake: (() => void) | undefined;
    let outcome: { reply: Reply } | { error: unknown } | undefined;
    const done = this.#run(request, (chunk) => {
      chunks.push(chunk);
      wake?.();
    }).then(
      (reply) => void (outcome = { reply }),
      (error: unknown) => void (outcome = { error }),
    );
    void done.then(() => wake?.());
    for (;;) {
      if (chunks.length > 0) {
        yield chunks.shift();
        continue;
      }
      if (outcome) {
        if ('error' in outcome) throw outcome.error;
        return outcome.reply;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  /** Ping every worker directly (not through the queue): who answers, with its OS pid. */
  async pingAll(): Promise<Array<{ worker: string; pid: number }>> {
    return Promise.all(
      [...this.#ports].map(async ([id, port]) => {
        const answer = await this.#transport({ id, port }, { op: 'ping' }, () => undefined);
        return { worker: id, pid: answer.pid! };
      }),
    );
  }

  /** Set a session variable (the session is pinned to a worker on first use). */
  async set(session: string, name: string, value: unknown): Promise<void> {
    await this.execute({ op: 'set', session, name, value });
  }

  async get<T = unknown>(session: string, name: string): Promise<T> {
    return (await this.execute<T>({ op: 'get', session, name })).result;
  }

  /** End a session: its worker deletes its variables and the pool forgets it. Ending an unknown session is a no-op. */
  async endSession(session: string): Promise<void> {
    const pin = this.#sessions.get(session);
    if (!pin) return;
    try {
      await this.execute({ op: 'end_session', session });
    } finally {
      this.#sessions.end(session);
      this.#rt.record('pypool.session_end', 'pool', { session, worker: pin.worker });
    }
  }

  async #run<T>(request: PoolRequest, onChunk: (chunk: unknown) => void): Promise<Reply<T>> {
    const id = ++this.#requests;
    const session = typeof (request as { session?: unknown }).session === 'string' ? (request as { session: string }).session : undefined;
    // A session's state lives in one worker process: its requests are never moved to another.
    const attempts = session === undefined ? this.#options.attempts : 1;
    for (let attempt = 1; ; attempt++) {
      const wanted = session === undefined ? undefined : this.#pinnedWorker(session);
      if (this.#slots.queued > 0 || !this.#hasFreeSlot(wanted)) this.#rt.record('pypool.queued', 'pool', { request: id, depth: this.#slots.queued + 1 });
      const worker = await this.#slots.acquire(wanted);
      const pid = this.#current(worker)!;
      if (session !== undefined) this.#pinIfNew(session, worker, pid);
      this.#rt.record('pypool.dispatch', 'pool', { request: id, worker, op: request.op, attempt, ...(session ? { session } : {}) });
      let answer: FinalMessage;
      try {
        answer = await this.#transport(this.#target(worker), request, onChunk);
      } catch (thrown) {
        const error = asPoolError(thrown, worker);
        if (error.retryable && attempt < attempts) {
          this.#rt.record('pypool.retry', 'pool', { request: id, worker, attempt, code: error.code });
          continue;
        }
        this.#rt.record('pypool.reply', 'pool', { request: id, worker, ok: false, code: error.code });
        throw error;
      } finally {
        this.#slots.release(worker);
      }
      this.#rt.record('pypool.reply', 'pool', { request: id, worker, ok: answer.ok, ...(answer.ok ? {} : { code: answer.error?.code ?? 'UNKNOWN' }) });
      if (!answer.ok) {
        const { status = 400, code = 'UNKNOWN', message = 'refused' } = answer.error ?? {};
        throw new PoolError('BAD_REQUEST', `worker ${worker} refused ${request.op}: ${message}`, { status, reason: code });
      }
      return { result: answer.result as T, worker };
    }
  }

  /** The worker holding `session`, or undefined for a new session. A session whose worker restarted is lost: SESSION_LOST. */
  #pinnedWorker(session: string): string | undefined {
    const pin = this.#sessions.get(session);
    if (pin) {
      const current = this.#current(pin.worker);
      if (current !== undefined && !current.equals(pin.pid)) this.#lose(pin.worker, current);
    }
    if (this.#sessions.takeLost(session)) throw new PoolError('SESSION_LOST', `session ${session} was lost: its worker restarted and its variables are gone`);
    return this.#sessions.get(session)?.worker;
  }

  #pinIfNew(session: string, worker: string, pid: Pid): void {
    if (this.#sessions.get(session)) return;
    this.#sessions.pin(session, { worker, pid });
    this.#rt.record('pypool.session_pin', 'pool', { session, worker, pid: pid.toString() });
  }

  /** Forget the sessions of `worker`'s previous process. */
  #lose(worker: string, current: Pid): void {
    for (const session of this.#sessions.dropStale(worker, current)) this.#rt.record('pypool.session_lost', 'pool', { session, worker });
  }

  #hasFreeSlot(worker: string | undefined): boolean {
    const ids = worker === undefined ? [...this.#ports.keys()] : [worker];
    return ids.some((id) => this.#slots.busy(id) < this.#options.capacity && this.#current(id) !== undefined);
  }

  /** The live process of worker `id`, or undefined while it is down or restarting. */
  #current(id: string): Pid | undefined {
    const pid = this.#live.get(id);
    return pid !== undefined && this.#rt.isAlive(pid) ? pid : undefined;
  }

  #target(worker: string): WorkerTarget {
    return { id: worker, port: this.#ports.get(worker)! };
  }

  /** The child spec of one worker: the Python program on its port, ready when it prints `READY <id> <port>`. */
  #workerSpec(id: string, port: number): ChildSpec {
    const spec = osProcess(id, {
      command: this.#options.python,
      args: ['-u', WORKER_SCRIPT, '--id', id, '--port', String(port)],
      ready: new RegExp(`^READY ${id} ${port}$`),
      readyTimeout: this.#options.readyTimeout,
      shutdown: 2000,
    });
    // Each (re)start: forget the sessions the previous process held, and give queued requests a chance.
    return {
      ...spec,
      start: async (ctx) => {
        const started = await spec.start(ctx);
        if (started instanceof Pid) {
          this.#live.set(id, started);
          this.#rt.record('pypool.worker_up', 'pool', { worker: id, pid: started.toString(), port });
          this.#lose(id, started);
          this.#slots.pump();
        }
        return started;
      },
    };
  }

  /** When the supervisor is gone (gave up, or stopped), fail every waiting and later request. */
  #watch(ref: SupervisorRef): void {
    this.#rt.spawn(
      (message, ctx) => {
        if ((message as { type?: string }).type !== 'DOWN') return;
        this.#slots.close(new PoolError('POOL_DOWN', `the pool's supervisor exited: ${JSON.stringify((message as { reason?: unknown }).reason)}`));
        ctx.exit('normal');
      },
      { label: 'pool watcher', init: (ctx) => void ctx.monitor(ref.pid) },
    );
  }
}

/**
 * Start a pool on `runtime`: a real-clock `new Runtime()` in production, `system.runtime` in a test.
 *
 * ```ts
 * const pool = await startPool(system.runtime, { size: 2, port: () => system.port(), start: (spec) => system.start(spec, { timeout: 20_000 }) });
 * await pool.execute({ op: 'echo', payload: 'hi' });   // { result: 'hi', worker: 'w1' }
 * ```
 */
export function startPool(runtime: Runtime, options: PoolOptions): Promise<Pool> {
  return Pool.start(runtime, options);
}
