import { NoProcError, QuiesceError } from '../errors.js';
import { Pid } from './pid.js';
import type { Proc } from './proc.js';
import { checkPid } from './runtime-options.js';

/**
 * The process table of one runtime: pids, registered names, live counts and refs. Dead processes
 * stay in it for their exit reasons; names go with their holder's exit.
 */
export class ProcessTable {
  readonly node: number;
  /** Stands for the world outside any process: the sender of an exit signal sent with no `from`. */
  readonly outside: Pid;
  readonly #procs = new Map<number, Proc>();
  // Made on first use: most runtimes of a test suite register no name.
  #names: Map<string, Proc> | undefined;
  #nextPid = 1;
  #nextRef = 1;
  /** Live processes (the map keeps dead ones for their exit reasons). */
  liveCount = 0;
  /** Most live processes at once; a spawn beyond it fails with system_limit. */
  limit = Number.POSITIVE_INFINITY;
  /** How many exited processes stay in the table (RuntimeOptions.retain.exited); all by default. */
  readonly #keepExited: number;
  /** Ids of the exited processes still in the table, oldest first (kept only under a bound). */
  #exited: number[] | undefined;

  constructor(node: number, keepExited = Number.POSITIVE_INFINITY) {
    this.node = node;
    this.outside = new Pid(node, 0);
    this.#keepExited = keepExited;
  }

  /** The next pid of this node (used once, by the spawn that takes it). */
  nextPid(): Pid {
    return new Pid(this.node, this.#nextPid++);
  }

  /** A fresh reference for a monitor, a watch or a call. */
  newRef(): number {
    return this.#nextRef++;
  }

  /** Enter a new live process, under its name if it has one (checked free by the caller). */
  add(proc: Proc, name: string | undefined): void {
    this.#procs.set(proc.pid.id, proc);
    this.liveCount++;
    if (name !== undefined) {
      proc.name = name;
      (this.#names ??= new Map()).set(name, proc);
    }
  }

  /**
   * `proc` has exited: one live process fewer. Under a bound, the oldest exited processes beyond
   * it are forgotten (in batches): their pids then read as unknown ones, as every dead pid does in
   * OTP (`exitReason` undefined, a link or monitor gets `noproc`).
   */
  exited(proc: Proc): void {
    this.liveCount--;
    if (this.#keepExited === Number.POSITIVE_INFINITY) return;
    const exited = (this.#exited ??= []);
    exited.push(proc.pid.id);
    if (exited.length < 2 * this.#keepExited) return;
    for (const id of exited.splice(0, exited.length - this.#keepExited)) this.#procs.delete(id);
  }

  /** A process that exited gives up its name (it keeps `proc.name` for its exit event). */
  freeName(proc: Proc): void {
    if (proc.name !== undefined) this.#names?.delete(proc.name);
  }

  resolve(target: Pid | string): Proc | undefined {
    if (target instanceof Pid) return target.node === this.node ? this.#procs.get(target.id) : undefined;
    if (typeof target === 'string') return this.#names?.get(target);
    return undefined;
  }

  /** The live process `pid`; NoProcError naming `operation` otherwise. */
  live(pid: Pid, operation: string): Proc {
    const proc = this.resolve(checkPid(`${operation}(pid)`, pid));
    if (!proc?.alive) throw new NoProcError(String(pid), operation);
    return proc;
  }

  holderOf(name: string): Proc | undefined {
    return this.#names?.get(name);
  }

  register(name: string, proc: Proc): void {
    const holder = this.#names?.get(name);
    if (holder) throw new QuiesceError('NAME_TAKEN', `register: name ${JSON.stringify(name)} is already registered to ${holder.key}`, { name });
    if (proc.name !== undefined) throw new QuiesceError('NAME_TAKEN', `register: ${proc.key} is already registered as ${JSON.stringify(proc.name)}`, { name });
    proc.name = name;
    (this.#names ??= new Map()).set(name, proc);
  }

  unregister(name: string): boolean {
    const proc = this.#names?.get(name);
    if (!proc) return false;
    this.#names!.delete(name);
    proc.name = undefined;
    return true;
  }

  /** Names currently registered, in registration order. */
  names(): string[] {
    return this.#names ? [...this.#names.keys()] : [];
  }

  /** Live processes, in spawn order. */
  living(): Proc[] {
    const out: Proc[] = [];
    for (const proc of this.#procs.values()) if (proc.alive) out.push(proc);
    return out;
  }
}
