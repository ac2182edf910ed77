import { InvalidOptionError, QuiesceError } from '../errors.js';
import { Pid } from '../process/pid.js';
import { Runtime } from '../process/runtime.js';

/**
 * A key-to-process registry scoped to one runtime (Elixir's Registry with unique keys). An entry
 * disappears when its process exits: lookups never return a dead pid, and the entry is dropped
 * when the exit is delivered.
 */
export class Registry<V = undefined> {
  readonly runtime: Runtime;
  readonly name: string;
  readonly #entries = new Map<string, { pid: Pid; value: V; unwatch: () => void }>();

  constructor(runtime: Runtime, name = 'registry') {
    if (!(runtime instanceof Runtime)) throw new InvalidOptionError('Registry(runtime)', runtime, 'a Runtime');
    if (typeof name !== 'string' || name === '') throw new InvalidOptionError('Registry(name)', name, 'a non-empty string');
    this.runtime = runtime;
    this.name = name;
  }

  /** Register `pid` under `key`; a key held by a live process throws NAME_TAKEN. */
  register(key: string, pid: Pid, value?: V): void {
    if (typeof key !== 'string' || key === '') throw new InvalidOptionError(`${this.name}.register(key)`, key, 'a non-empty string');
    if (!(pid instanceof Pid)) throw new InvalidOptionError(`${this.name}.register(pid)`, pid, 'a Pid');
    const existing = this.lookup(key);
    if (existing) {
      throw new QuiesceError('NAME_TAKEN', `${this.name}.register: key ${JSON.stringify(key)} is already held by ${existing.pid}`, { key });
    }
    if (!this.runtime.isAlive(pid)) throw new QuiesceError('NOPROC', `${this.name}.register: ${pid} is not alive`, { key });
    this.#drop(key);
    const unwatch = this.runtime.watch(pid, () => {
      if (this.#entries.get(key)?.pid === pid) this.#entries.delete(key);
    });
    this.#entries.set(key, { pid, value: value as V, unwatch });
  }

  lookup(key: string): { pid: Pid; value: V } | undefined {
    const entry = this.#entries.get(key);
    if (!entry || !this.runtime.isAlive(entry.pid)) return undefined;
    return { pid: entry.pid, value: entry.value };
  }

  whereis(key: string): Pid | undefined {
    return this.lookup(key)?.pid;
  }

  unregister(key: string): boolean {
    return this.#drop(key);
  }

  /** Keys held by live processes, in registration order. */
  keys(): string[] {
    return [...this.#entries.keys()].filter((k) => this.lookup(k) !== undefined);
  }

  #drop(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    entry.unwatch();
    this.#entries.delete(key);
    return true;
  }
}
