import type { Pid } from '@quiesce/runtime';

/** Where a session lives: its worker, and which process of that worker holds its variables. */
export interface Pin {
  readonly worker: string;
  readonly pid: Pid;
}

/**
 * Session affinity: a session's variables live in one worker process, so every request of the
 * session goes there. A restart of that worker loses them; `dropWorker` forgets the sessions it held.
 */
export class Sessions {
  readonly #pins = new Map<string, Pin>();
  /** Sessions lost in a restart whose owner has not been told yet (told once, then forgotten). */
  readonly #lost = new Set<string>();

  get(session: string): Pin | undefined {
    return this.#pins.get(session);
  }

  pin(session: string, pin: Pin): void {
    this.#pins.set(session, pin);
  }

  end(session: string): boolean {
    this.#lost.delete(session);
    return this.#pins.delete(session);
  }

  /** Whether `session` was lost in a restart since its owner last used it; true once per loss. */
  takeLost(session: string): boolean {
    return this.#lost.delete(session);
  }

  /** The sessions held by `worker` in a process other than `current` (lost in a restart); they are forgotten. */
  dropStale(worker: string, current: Pid): string[] {
    const lost: string[] = [];
    for (const [session, pin] of this.#pins) {
      if (pin.worker === worker && !pin.pid.equals(current)) {
        this.#pins.delete(session);
        this.#lost.add(session);
        lost.push(session);
      }
    }
    return lost;
  }

  /** How many sessions each worker holds: the pool pins a new session to the least loaded one. */
  countFor(worker: string): number {
    let n = 0;
    for (const pin of this.#pins.values()) if (pin.worker === worker) n++;
    return n;
  }

  ids(): string[] {
    return [...this.#pins.keys()];
  }
}
