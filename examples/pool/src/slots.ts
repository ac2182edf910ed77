import { PoolError } from './errors.js';

/** A request waiting for a slot: any worker, or one worker (a session's). */
interface Waiter {
  readonly worker: string | undefined;
  readonly grant: (worker: string) => void;
  readonly fail: (error: PoolError) => void;
}

/**
 * Who may send to which worker now. Each worker has `capacity` slots; a request takes a free slot
 * of an available worker (round robin), or of its session's worker, else waits in one FIFO queue
 * of at most `queueLimit` requests. Waiters are granted when a slot frees or a worker comes back.
 */
export class Slots {
  readonly #busy = new Map<string, number>();
  readonly #queue: Waiter[] = [];
  #next = 0;
  #peakQueue = 0;
  #closed: PoolError | undefined;

  constructor(
    private readonly workers: readonly string[],
    private readonly capacity: number,
    private readonly queueLimit: number,
    /** Whether a worker can take requests now (its process is alive). */
    private readonly available: (worker: string) => boolean,
  ) {
    for (const id of workers) this.#busy.set(id, 0);
  }

  /** Resolves with the worker whose slot the caller now holds; release it with `release(worker)`. */
  acquire(worker?: string): Promise<string> {
    if (this.#closed) return Promise.reject(this.#closed);
    const free = this.#free(worker);
    if (free !== undefined) {
      this.#take(free);
      return Promise.resolve(free);
    }
    if (this.#queue.length >= this.queueLimit) {
      return Promise.reject(
        new PoolError('POOL_SATURATED', `every worker is busy and ${this.#queue.length} requests are queued (queueLimit ${this.queueLimit})`),
      );
    }
    return new Promise<string>((grant, fail) => {
      this.#queue.push({ worker, grant, fail });
      this.#peakQueue = Math.max(this.#peakQueue, this.#queue.length);
    });
  }

  release(worker: string): void {
    this.#busy.set(worker, (this.#busy.get(worker) ?? 1) - 1);
    this.pump();
  }

  /** Grant waiters in queue order while slots are free (after a release, or when a worker is back). */
  pump(): void {
    for (let i = 0; i < this.#queue.length; ) {
      const waiter = this.#queue[i]!;
      const free = this.#free(waiter.worker);
      if (free === undefined) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#take(free);
      waiter.grant(free);
    }
  }

  /** Fail every waiter and every later acquire with `error` (the pool is down). */
  close(error: PoolError): void {
    this.#closed = error;
    for (const waiter of this.#queue.splice(0)) waiter.fail(error);
  }

  busy(worker: string): number {
    return this.#busy.get(worker) ?? 0;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** The longest the queue has been: how saturated the pool got. */
  get peakQueue(): number {
    return this.#peakQueue;
  }

  #free(worker: string | undefined): string | undefined {
    const fits = (id: string) => this.busy(id) < this.capacity && this.available(id);
    if (worker !== undefined) return fits(worker) ? worker : undefined;
    for (let i = 0; i < this.workers.length; i++) {
      const id = this.workers[(this.#next + i) % this.workers.length]!;
      if (fits(id)) {
        this.#next = (this.#next + i + 1) % this.workers.length;
        return id;
      }
    }
    return undefined;
  }

  #take(worker: string): void {
    this.#busy.set(worker, this.busy(worker) + 1);
  }
}
