import { NoProcError } from '../errors.js';
import type { Clock } from '../kernel/clock.js';
import type { EventRecorder, QuiesceEvents } from '../kernel/events.js';
import type { Calls } from './calls.js';
import { mailboxChanged, type Delivery } from './delivery.js';
import { serialiseReason, type DownMessage, type ExitMessage, type ExitReason } from './exit-reason.js';
import type { Idleness } from './idleness.js';
import { Pid } from './pid.js';
import type { Proc, ProcessCode } from './proc.js';
import type { ProcessTable } from './table.js';

/** What a dead process runs: nothing (its mailbox is never drained again). */
const DEAD: ProcessCode = () => undefined;
/** Every dead process's mailbox (frozen: a delivery to the dead is a bug that must throw, not pile up). */
const NO_MESSAGES: unknown[] = Object.freeze([]) as unknown as unknown[];

/** The watcher's side of a process monitor: a DOWN is delivered only while this entry exists. */
interface MonitorEntry {
  watcher: Proc;
  /** The monitored process, if it was alive when monitored. */
  target: Proc | undefined;
}

/** What the signals need of the runtime around them. */
export interface SignalParts {
  table: ProcessTable;
  delivery: Delivery;
  calls: Calls;
  idleness: Idleness;
  clock: Clock;
  record: EventRecorder;
}

/**
 * Links, monitors and exit signals (OTP's rules): every request and signal travels between its
 * pair of processes in order with their messages, and a process's exit sends them on.
 */
export class Signals {
  readonly #table: ProcessTable;
  readonly #delivery: Delivery;
  readonly #calls: Calls;
  readonly #idleness: Idleness;
  readonly #clock: Clock;
  readonly #record: EventRecorder;
  // Made on first use: most runtimes of a test suite set no monitor.
  #monitorMap: Map<number, MonitorEntry> | undefined;

  get #monitors(): Map<number, MonitorEntry> {
    return (this.#monitorMap ??= new Map());
  }

  constructor(parts: SignalParts) {
    this.#table = parts.table;
    this.#delivery = parts.delivery;
    this.#calls = parts.calls;
    this.#idleness = parts.idleness;
    this.#clock = parts.clock;
    this.#record = parts.record;
  }

  /** Link two processes both ways at once (spawn_link's atomic link). */
  linkBoth(a: Proc, b: Proc): void {
    if (a === b) return;
    (a.links ??= new Set()).add(b);
    (b.links ??= new Set()).add(a);
  }

  /** `pa` links to `pb` (link/1 run by `pa`); see Runtime.link. */
  link(pa: Proc, b: Pid, pb: Proc | undefined): void {
    if (pb === pa || (pb && pa.links?.has(pb))) return;
    if (!pb?.alive) {
      if (!pa.trapExit) throw new NoProcError(b.toString(), 'link');
      const msg: ExitMessage = { type: 'EXIT', from: b, reason: 'noproc' };
      this.#delivery.enqueue(b.toString(), pa, () => this.#delivery.deliver(pa, msg));
      return;
    }
    (pa.links ??= new Set()).add(pb);
    this.#delivery.enqueue(pa.key, pb, () => {
      if (pb.alive) (pb.links ??= new Set()).add(pa);
      else this.#delivery.enqueue(pb.key, pa, () => this.#linkExit(pa, pb, 'noproc'));
    });
  }

  /** `pa` removes its link to `pb` (unlink/1 run by `pa`); see Runtime.unlink. */
  unlink(pa: Proc, pb: Proc): void {
    if (!pa.links?.delete(pb)) return;
    this.#delivery.enqueue(pa.key, pb, () => pb.links?.delete(pa));
  }

  /** `w` monitors `target` (`t` if it resolves); see Runtime.monitor. */
  monitor(w: Proc, target: Pid | string, t: Proc | undefined): number {
    const ref = this.#table.newRef();
    this.#monitors.set(ref, { watcher: w, target: t?.alive ? t : undefined });
    (w.monitors ??= new Set()).add(ref);
    if (!t?.alive) {
      const pid = t?.pid ?? (target instanceof Pid ? target : this.#table.outside);
      this.#delivery.enqueue(t?.key ?? String(target), w, () => this.#down(ref, pid, 'noproc'), 'signal', 'noproc');
      return ref;
    }
    this.#delivery.enqueue(w.key, t, () => {
      if (!this.#monitors.has(ref)) return; // demonitored on the way
      if (t.alive) (t.watchers ??= new Map()).set(ref, w);
      else this.#delivery.enqueue(t.key, w, () => this.#down(ref, t.pid, 'noproc'));
    });
    return ref;
  }

  /** Remove a monitor. No DOWN for it arrives afterwards, even one already on its way (OTP demonitor/1). */
  demonitor(ref: number): void {
    const entry = this.#monitors.get(ref);
    if (!entry) return;
    this.#monitors.delete(ref);
    entry.watcher.monitors?.delete(ref);
    // Only the target's bookkeeping is left; no DOWN can come of it any more, so it goes now.
    entry.target?.watchers?.delete(ref);
  }

  /** A DOWN arrives at the watcher, unless the monitor was removed since it was sent. */
  #down(ref: number, pid: Pid, reason: ExitReason): void {
    const entry = this.#monitors.get(ref);
    if (!entry) return;
    this.#monitors.delete(ref);
    entry.watcher.monitors?.delete(ref);
    const down: DownMessage = { type: 'DOWN', ref, pid, reason };
    this.#delivery.deliver(entry.watcher, down);
  }

  /** Watch `target` from outside the process world; see Runtime.watch. */
  watch(target: Pid, t: Proc | undefined, onExit: (reason: ExitReason) => void): () => void {
    if (!t?.alive) {
      const reason = t?.exitReason ?? 'noproc';
      let cancelled = false;
      this.#delivery.enqueue(t?.key ?? target.toString(), undefined, () => {
        if (!cancelled) onExit(reason);
      });
      return () => {
        cancelled = true;
      };
    }
    const ref = this.#table.newRef();
    (t.watchers ??= new Map()).set(ref, onExit);
    return () => {
      t.watchers?.delete(ref);
    };
  }

  /** An exit signal from `fromKey` travels to `target` in order with that sender's other deliveries. */
  signalLater(fromKey: string, target: Proc, from: Pid | null, reason: ExitReason, viaLink: boolean): void {
    this.#delivery.enqueue(fromKey, target, () => this.signal(target, from ?? undefined, reason, viaLink), 'signal', reason);
  }

  /** An exit signal arrives at `target` (OTP's rules for links, exit/2 and trapping). */
  signal(target: Proc, from: Pid | undefined, reason: ExitReason, viaLink: boolean): void {
    if (!target.alive) return;
    if (reason === 'kill' && !viaLink) {
      this.exit(target, 'killed');
      return;
    }
    if (target.trapExit) {
      const msg: ExitMessage = { type: 'EXIT', from: from ?? this.#table.outside, reason };
      this.#delivery.deliver(target, msg);
      return;
    }
    if (reason === 'normal') {
      // erlang:exit/2: normal leaves a process that does not trap alive, "unless Pid is the calling process".
      if (!viaLink && from?.equals(target.pid)) this.exit(target, 'normal');
      return;
    }
    this.exit(target, reason);
  }

  /** An exit signal through the link from `from`: no effect if `target` has removed the link since (OTP unlink/1). */
  #linkExit(target: Proc, from: Proc, reason: ExitReason): void {
    if (!target.alive || !target.links?.delete(from)) return;
    this.signal(target, from.pid, reason, true);
  }

  /** The process exits with `reason`: links get exit signals, monitors get DOWN, timers stop. */
  exit(proc: Proc, reason: ExitReason): void {
    if (!proc.alive) return;
    proc.alive = false;
    this.#table.exited(proc);
    proc.exitReason = reason;
    // The shared empty mailbox: a dead process never receives again, and a runtime keeps its dead.
    proc.mailbox = NO_MESSAGES;
    proc.head = 0;
    if (proc.mailboxWatchers) {
      mailboxChanged(proc, this.#record);
      proc.mailboxWatchers = undefined;
    }
    this.#table.freeName(proc);
    if (proc.timers) for (const t of proc.timers) this.#clock.clearTimer(t);
    proc.timers = undefined;
    const exited: QuiesceEvents['process.exit'] = { pid: proc.key, reason: serialiseReason(reason) };
    if (proc.name) exited.name = proc.name;
    this.#record('process.exit', proc.label, exited);
    if (proc.links) {
      // Newest link first: a dying supervisor's children get their signals before its parent
      // does, which is what ERTS does in practice (the differential test checks it against OTP).
      // Each linked process drops its side of the link when the signal arrives.
      for (const linked of [...proc.links].reverse()) this.#delivery.enqueue(proc.key, linked, () => this.#linkExit(linked, proc, reason), 'signal', reason);
      proc.links = undefined;
    }
    if (proc.watchers) {
      for (const [ref, watcher] of proc.watchers) {
        if (typeof watcher === 'function') this.#delivery.enqueue(proc.key, undefined, () => watcher(reason));
        else this.#delivery.enqueue(proc.key, watcher, () => this.#down(ref, proc.pid, reason), 'signal', reason);
      }
      proc.watchers = undefined;
    }
    if (proc.monitors) {
      // A dead watcher's monitors go with it (OTP removes them at exit).
      for (const ref of proc.monitors) {
        this.#monitors.get(ref)?.target?.watchers?.delete(ref);
        this.#monitors.delete(ref);
      }
      proc.monitors = undefined;
    }
    this.#calls.exited(proc, reason);
    // Only the exit reason, pid, name and label outlive the process: its code (a closure that may
    // hold the whole state of a server or supervisor) and context go, so a runtime that has seen
    // many processes die holds little for each.
    proc.handler = DEAD;
    proc.ctx = undefined;
    proc.system = undefined;
    proc.turn = undefined;
    // A dead process's handler may still be awaiting something that never settles; whatever it
    // does next cannot act (its context throws), so it no longer holds the system busy.
    this.#idleness.stopRunning(proc);
    this.#delivery.schedulePump();
  }
}
