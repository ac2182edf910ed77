import { serialiseReason, type QuiesceEvents, type Random, type Runtime } from '@quiesce/runtime';
import type { FaultData, FiredKind } from './events.js';
import { FAULT_KINDS } from './kinds.js';

/** An armed fault: it fires later (per message, delivery, call or tick) until healed or used up. */
export interface Fault {
  /** `f1`, `f2`, … in the order faults were armed on this runtime: `data.fault` of its events. */
  readonly id: string;
  /** What it does: 'hang', 'drop', 'pause', … */
  readonly type: string;
  /** What it aims at, as its events' source: a process label, a pair `a -> b`, an OS program. */
  readonly target: string;
  /** False once healed, or once it has fired as often as it may. */
  readonly active: boolean;
  /** How many times it has fired. */
  readonly fired: number;
  /** Stop it: a hung process resumes, a paused program continues, nothing more is dropped. Idempotent. */
  heal(): void;
}

/** Per runtime: how many chaos instances and faults exist, so ids and random streams never collide. */
const counters = new WeakMap<Runtime, { chaos: number; faults: number }>();

export function countersOf(runtime: Runtime): { chaos: number; faults: number } {
  let c = counters.get(runtime);
  if (!c) counters.set(runtime, (c = { chaos: 0, faults: 0 }));
  return c;
}

/** Records a fault's events and keeps its state; the injectors own what it does. */
export class ArmedFault implements Fault {
  readonly id: string;
  readonly type: string;
  readonly target: string;
  /** The fault's own stream: its draws never shift another fault's. */
  readonly random: Random;
  #active = true;
  #fired = 0;
  readonly #runtime: Runtime;
  readonly #limit: number;
  readonly #onHeal: () => void;
  readonly #onFire: (kind: string) => void;

  constructor(
    runtime: Runtime,
    random: Random,
    init: { type: string; target: string; options: Record<string, unknown>; limit?: number; onHeal?: () => void; onFire?: (kind: string) => void },
  ) {
    const counter = countersOf(runtime);
    this.id = `f${++counter.faults}`;
    this.type = init.type;
    this.target = init.target;
    this.random = random.fork(`${this.id}:${init.type}`);
    this.#runtime = runtime;
    this.#limit = init.limit ?? Number.POSITIVE_INFINITY;
    this.#onHeal = init.onHeal ?? (() => undefined);
    this.#onFire = init.onFire ?? (() => undefined);
    runtime.record(FAULT_KINDS.arm, this.target, { fault: this.id, type: this.type, ...jsonSafe(init.options) });
  }

  get active(): boolean {
    return this.#active;
  }

  get fired(): number {
    return this.#fired;
  }

  /** Record one firing (its kind's payload, less `fault`, which is this fault's id); the fault is used up once it has fired `limit` times. */
  fire<K extends FiredKind>(kind: K, data: FaultData<K>, source = this.target): void {
    this.#fired++;
    recordFault(this.#runtime, kind, source, this.id, data);
    this.#onFire(kind);
    if (this.#fired >= this.#limit) this.#active = false;
  }

  heal(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#runtime.record(FAULT_KINDS.heal, this.target, { fault: this.id, type: this.type });
    this.#onHeal();
  }

  /** Used up without a heal event (e.g. a one-shot kill). */
  retire(): void {
    this.#active = false;
  }
}

/**
 * Record a fault event: its payload with the fault's id. The one place the id is joined to data
 * typed without it; callers are checked against the map through `FaultData`.
 */
export function recordFault<K extends FiredKind>(runtime: Runtime, kind: K, source: string, fault: string, data: FaultData<K>): void {
  runtime.record(kind, source, { fault, ...data } as unknown as QuiesceEvents[K]);
}

/** Options as JSON-safe event data: functions named, errors described, undefined dropped. */
function jsonSafe(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (value === Number.POSITIVE_INFINITY) out[key] = 'Infinity';
    else if (typeof value === 'function') out[key] = `[function ${value.name || 'anonymous'}]`;
    else out[key] = serialiseReason(value);
  }
  return out;
}
