import { InvalidOptionError, QuiesceError } from '../errors.js';
import { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';
import { matchesValue } from './match-value.js';

/** One registration: a process under a key, with the value it registered. */
export interface RegistryEntry<V> {
  readonly pid: Pid;
  readonly value: V;
}

/** What `match` accepts: a partial value (`{ gpu: 'h100' }`) or a predicate on the value and pid. */
export type EntryPattern<V> = ((value: V, pid: Pid) => boolean) | Partial<V> | V;

/**
 * A registry with duplicate keys, scoped to one runtime: Elixir's `Registry` started with
 * `keys: :duplicate`, the way processes subscribe to a topic and a publisher fans out to them.
 * Any number of processes register under one key (a process may register under a key more than
 * once, each time with its own value); `dispatch(key, fn)` hands every entry under the key to
 * `fn`. Entries of a process are removed when it exits: lookups never return a dead pid, and the
 * entries are dropped when the exit is delivered.
 *
 * ```ts
 * const topics = new DuplicateRegistry<{ gpu: string }>(rt, 'pod-events');
 * topics.register('pod.ready', subscriber, { gpu: 'h100' });
 * topics.dispatch('pod.ready', (entries) => entries.forEach(({ pid }) => rt.send(pid, { type: 'pod.ready', id: 'p1' })));
 * ```
 */
export class DuplicateRegistry<V = undefined> {
  readonly runtime: Runtime;
  readonly name: string;
  readonly #byKey = new Map<string, Array<RegistryEntry<V>>>();
  /** Per registered process: the keys it holds entries under, and its exit watch. */
  readonly #byPid = new Map<string, { pid: Pid; keys: Set<string>; unwatch: () => void }>();

  constructor(runtime: Runtime, name = 'registry') {
    this.runtime = runtime;
    this.name = name;
  }

  /** Register `pid` under `key` with `value`, beside any entries already there. A dead pid is NOPROC. */
  register(key: string, pid: Pid, value?: V): void {
    this.#key(key, 'register');
    if (!(pid instanceof Pid)) throw new InvalidOptionError(`${this.name}.register(pid)`, pid, 'a Pid');
    if (!this.runtime.isAlive(pid)) throw new QuiesceError('NOPROC', `${this.name}.register: ${pid} is not alive`, { key });
    const entries = this.#byKey.get(key) ?? [];
    entries.push({ pid, value: value as V });
    this.#byKey.set(key, entries);
    const id = pid.toString();
    let holder = this.#byPid.get(id);
    if (!holder?.pid.equals(pid)) {
      holder?.unwatch();
      holder = { pid, keys: new Set(), unwatch: this.runtime.watch(pid, () => this.#drop(pid)) };
      this.#byPid.set(id, holder);
    }
    holder.keys.add(key);
  }

  /** The live entries under `key`, in registration order (empty when there are none). */
  lookup(key: string): Array<RegistryEntry<V>> {
    this.#key(key, 'lookup');
    return (this.#byKey.get(key) ?? []).filter((e) => this.runtime.isAlive(e.pid)).map((e) => ({ pid: e.pid, value: e.value }));
  }

  /**
   * Call `fn` once with every live entry under `key` (not at all when there is none), as Elixir's
   * `Registry.dispatch/3` does; returns how many entries it was given. What `fn` throws is thrown.
   */
  dispatch(key: string, fn: (entries: Array<RegistryEntry<V>>) => void): number {
    if (typeof fn !== 'function') throw new InvalidOptionError(`${this.name}.dispatch(fn)`, fn, 'a function called with the entries');
    const entries = this.lookup(key);
    if (entries.length > 0) fn(entries);
    return entries.length;
  }

  /** Remove every entry of `pid` under `key`; returns how many were removed. */
  unregister(key: string, pid: Pid): number {
    this.#key(key, 'unregister');
    if (!(pid instanceof Pid)) throw new InvalidOptionError(`${this.name}.unregister(pid)`, pid, 'a Pid');
    const entries = this.#byKey.get(key) ?? [];
    const kept = entries.filter((e) => !e.pid.equals(pid));
    const removed = entries.length - kept.length;
    if (removed === 0) return 0;
    if (kept.length > 0) this.#byKey.set(key, kept);
    else this.#byKey.delete(key);
    const holder = this.#byPid.get(pid.toString());
    holder?.keys.delete(key);
    if (holder && holder.keys.size === 0) {
      holder.unwatch();
      this.#byPid.delete(pid.toString());
    }
    return removed;
  }

  /** The keys `pid` is registered under, in the order it registered them (Elixir's `keys/2`). */
  keys(pid: Pid): string[] {
    if (!(pid instanceof Pid)) throw new InvalidOptionError(`${this.name}.keys(pid)`, pid, 'a Pid');
    const holder = this.#byPid.get(pid.toString());
    return holder?.pid.equals(pid) && this.runtime.isAlive(pid) ? [...holder.keys] : [];
  }

  /** How many live entries there are: under `key`, or in the whole registry. */
  count(key?: string): number {
    if (key !== undefined) return this.lookup(key).length;
    let n = 0;
    for (const entries of this.#byKey.values()) n += entries.filter((e) => this.runtime.isAlive(e.pid)).length;
    return n;
  }

  /**
   * The live entries under `key` whose value matches `pattern`: a partial value, compared key by
   * key (`{ gpu: 'h100' }`), or a predicate `(value, pid) => boolean`.
   */
  match(key: string, pattern: EntryPattern<V>): Array<RegistryEntry<V>> {
    const test = typeof pattern === 'function' ? (pattern as (value: V, pid: Pid) => boolean) : (value: V) => matchesValue(value, pattern);
    return this.lookup(key).filter((e) => test(e.value, e.pid));
  }

  /** The exit of `pid` was delivered: drop all its entries. */
  #drop(pid: Pid): void {
    const holder = this.#byPid.get(pid.toString());
    if (!holder?.pid.equals(pid)) return;
    this.#byPid.delete(pid.toString());
    for (const key of holder.keys) {
      const kept = (this.#byKey.get(key) ?? []).filter((e) => !e.pid.equals(pid));
      if (kept.length > 0) this.#byKey.set(key, kept);
      else this.#byKey.delete(key);
    }
  }

  #key(key: unknown, operation: string): asserts key is string {
    if (typeof key !== 'string' || key === '') throw new InvalidOptionError(`${this.name}.${operation}(key)`, key, 'a non-empty string');
  }
}
