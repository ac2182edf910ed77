import { formatValue, type DeliveryKind, type InterceptedDelivery, type Runtime, type TimerHandle } from '@quiesce/runtime';
import type { ArmedFault } from '../fault.js';
import type { Host } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';
import { describeEnd, endMatches, type PairEnd } from './targets.js';

export type LinkAction = 'drop' | 'duplicate' | 'delay' | 'reorder';

export interface LinkFault {
  readonly fault: ArmedFault;
  readonly action: LinkAction;
  readonly from: PairEnd;
  readonly to: PairEnd;
  readonly kinds: ReadonlySet<DeliveryKind>;
  readonly rate: number;
  /** delay: base milliseconds and jitter (0..jitter added, from the fault's stream). */
  readonly delay: number;
  readonly jitter: number;
  /** reorder: swap with the next delivery of the same pair (breaks OTP's per-pair order, on purpose). */
  readonly withinPair: boolean;
}

/** Deliveries of one pair held back together, so a delay never lets a later delivery of the pair overtake. */
interface Channel {
  queue: Array<() => void>;
  timer: TimerHandle;
  until: number;
  /** Waiting for the pair's next delivery to go first (reorder withinPair). */
  swap: boolean;
}

/** Which deliveries a link fault may hit unless told otherwise: not signals (exits, DOWNs) nor system requests. */
export const DEFAULT_LINK_KINDS: readonly DeliveryKind[] = ['message', 'call', 'reply'];

/**
 * Drop, delay, duplicate and reorder between two processes. Order within a pair is OTP's
 * guarantee and is kept: a held delivery holds every later delivery of its pair (signals too),
 * and reordering moves a delivery behind other senders' deliveries only — except a reorder
 * `withinPair`, which breaks the guarantee because that is the fault asked for.
 */
export class LinkFaults {
  readonly #host: Host;
  readonly #runtime: Runtime;
  #faults: LinkFault[] = [];
  readonly #channels = new Map<string, Channel>();
  #remove: (() => void) | undefined;

  constructor(host: Host) {
    this.#host = host;
    this.#runtime = host.runtime;
  }

  add(fault: LinkFault): void {
    this.#remove ??= this.#runtime.intercept({ delivery: (d, deliver) => this.#onDelivery(d, deliver) });
    this.#faults.push(fault);
  }

  /** Deliver everything held now, drop the hook. */
  dispose(): void {
    for (const key of [...this.#channels.keys()]) this.#release(key);
    this.#remove?.();
    this.#remove = undefined;
    this.#faults = [];
  }

  #onDelivery(d: InterceptedDelivery, deliver: () => void): void {
    const key = `${d.from}->${d.to}`;
    const hit = this.#firing(d);
    const channel = this.#channels.get(key);
    if (hit === undefined) {
      this.#pass(key, channel, [deliver]);
      return;
    }
    const source = `${d.from} -> ${d.to}`;
    const data = { kind: d.kind, payload: formatValue(d.payload) };
    switch (hit.action) {
      case 'drop':
        hit.fault.fire(FAULT_KINDS.drop, data, source);
        return;
      case 'duplicate':
        hit.fault.fire(FAULT_KINDS.duplicate, data, source);
        this.#pass(key, channel, [deliver, deliver]);
        return;
      case 'delay': {
        const ms = hit.delay + (hit.jitter > 0 ? hit.fault.random.int(hit.jitter + 1) : 0);
        hit.fault.fire(FAULT_KINDS.delay, { ...data, delay: ms }, source);
        this.#hold(key, deliver, ms, false);
        return;
      }
      case 'reorder':
        hit.fault.fire(FAULT_KINDS.reorder, { ...data, withinPair: hit.withinPair }, source);
        // Held until everything runnable now has run (a 0 ms kernel timer fires at idleness).
        this.#hold(key, deliver, 0, hit.withinPair);
        return;
    }
  }

  /** The first active fault that matches and whose draw says fire. */
  #firing(d: InterceptedDelivery): LinkFault | undefined {
    let hit: LinkFault | undefined;
    let spent = false;
    for (const f of this.#faults) {
      if (!f.fault.active) {
        spent = true;
        continue;
      }
      if (!f.kinds.has(d.kind) || !endMatches(this.#host, f.from, d.from) || !endMatches(this.#host, f.to, d.to)) continue;
      if (f.rate < 1 && !f.fault.random.bool(f.rate)) continue;
      hit = f;
      break;
    }
    if (spent) this.#faults = this.#faults.filter((f) => f.fault.active);
    return hit;
  }

  #pass(key: string, channel: Channel | undefined, items: Array<() => void>): void {
    if (!channel) {
      for (const item of items) item();
      return;
    }
    if (channel.swap) {
      // The pair's next delivery goes first, then the one held back: the reorder within the pair.
      for (const item of items) item();
      this.#release(key);
      return;
    }
    channel.queue.push(...items);
  }

  #hold(key: string, deliver: () => void, ms: number, swap: boolean): void {
    const channel = this.#channels.get(key);
    const until = this.#runtime.now() + ms;
    if (!channel) {
      const timer = this.#runtime.setTimer(ms, () => this.#release(key));
      this.#channels.set(key, { queue: [deliver], timer, until, swap });
      return;
    }
    channel.queue.push(deliver);
    channel.swap = false;
    if (until > channel.until) {
      this.#runtime.clearTimer(channel.timer);
      channel.timer = this.#runtime.setTimer(ms, () => this.#release(key));
      channel.until = until;
    }
  }

  #release(key: string): void {
    const channel = this.#channels.get(key);
    if (!channel) return;
    this.#channels.delete(key);
    this.#runtime.clearTimer(channel.timer);
    for (const deliver of channel.queue) deliver();
  }
}

export function describePair(from: PairEnd, to: PairEnd): string {
  return `${describeEnd(from)} -> ${describeEnd(to)}`;
}
