import { Activity } from '../kernel/time-flow.js';

/**
 * What lives outside the runtime and may still act: external operations in flight (an OS process
 * starting, the wait for one to go), live external actors (OS processes, worker threads), and
 * probes for external things the runtime does not count itself (the harness's owned resources).
 * While any of it is live, waits wait for it and a virtual clock flows with real time.
 */
export class OutsideWork {
  /** Something happened: a delivery, a history event, an external operation ending. */
  readonly activity = new Activity();
  readonly #ended: () => void;
  #inFlight = 0;
  // Made on first use: most runtimes of a test suite never hold an actor or a source.
  #actors: Map<number, string> | undefined;
  #nextActor = 1;
  #sources: Set<() => boolean> | undefined;

  /** @param ended called when an operation ends or an actor is released (the runtime re-checks idleness). */
  constructor(ended: () => void) {
    this.#ended = ended;
  }

  /** External operations in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether anything outside can still act. */
  live(): boolean {
    if (this.#inFlight > 0 || (this.#actors !== undefined && this.#actors.size > 0)) return true;
    if (this.#sources) for (const live of this.#sources) if (live()) return true;
    return false;
  }

  /** Count a live actor until the returned function is called (idempotent). */
  hold(label: string): () => void {
    const id = this.#nextActor++;
    const actors = (this.#actors ??= new Map());
    actors.set(id, label);
    return () => {
      if (!actors.delete(id)) return;
      this.activity.notify();
      this.#ended();
    };
  }

  /** Labels of the live actors, oldest first. */
  labels(): string[] {
    return this.#actors ? [...this.#actors.values()] : [];
  }

  /** Add a liveness probe; returns the function that removes it. */
  addSource(live: () => boolean): () => void {
    const sources = (this.#sources ??= new Set());
    sources.add(live);
    return () => {
      sources.delete(live);
    };
  }

  /** Count `promise` as an external operation in flight until it settles. */
  async track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight++;
    try {
      return await promise;
    } finally {
      this.#inFlight--;
      this.activity.notify();
      this.#ended();
    }
  }
}
