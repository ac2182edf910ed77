import type { Reply } from './resp.js';

/** The part of Redis the session store uses: a command, and commands run as one transaction. */
export interface KeyValue {
  command(...args: Array<string | number>): Promise<Reply>;
  transaction(commands: Array<Array<string | number>>): Promise<Reply[]>;
}

/**
 * An in-process stand-in for the few Redis commands the store uses (hashes, DEL, EXISTS, PEXPIRE,
 * PTTL), with expiry on an injected clock: for unit tests and a Redis-less development mode.
 */
export class MemoryKeyValue implements KeyValue {
  readonly #hashes = new Map<string, Map<string, string>>();
  readonly #expiry = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  async command(...args: Array<string | number>): Promise<Reply> {
    return this.#run(args.map(String));
  }

  async transaction(commands: Array<Array<string | number>>): Promise<Reply[]> {
    return commands.map((c) => this.#run(c.map(String)));
  }

  #hash(key: string, create: boolean): Map<string, string> | undefined {
    const at = this.#expiry.get(key);
    if (at !== undefined && this.now() >= at) {
      this.#hashes.delete(key);
      this.#expiry.delete(key);
    }
    let hash = this.#hashes.get(key);
    if (!hash && create) this.#hashes.set(key, (hash = new Map()));
    return hash;
  }

  #run([name, key = '', ...rest]: string[]): Reply {
    switch (name?.toUpperCase()) {
      case 'PING':
        return 'PONG';
      case 'HSET': {
        const hash = this.#hash(key, true)!;
        let added = 0;
        for (let i = 0; i + 1 < rest.length; i += 2) {
          if (!hash.has(rest[i]!)) added++;
          hash.set(rest[i]!, rest[i + 1]!);
        }
        return added;
      }
      case 'HGET':
        return this.#hash(key, false)?.get(rest[0]!) ?? null;
      case 'HGETALL':
        return [...(this.#hash(key, false) ?? new Map<string, string>())].flat();
      case 'HKEYS':
        return [...(this.#hash(key, false)?.keys() ?? [])];
      case 'HDEL':
        return rest.filter((field) => this.#hash(key, false)?.delete(field)).length;
      case 'DEL':
        return [key, ...rest].filter((k) => this.#hash(k, false) && this.#hashes.delete(k)).length;
      case 'EXISTS':
        return this.#hash(key, false) ? 1 : 0;
      case 'PEXPIRE':
        if (!this.#hash(key, false)) return 0;
        this.#expiry.set(key, this.now() + Number(rest[0]));
        return 1;
      case 'PTTL': {
        if (!this.#hash(key, false)) return -2;
        const at = this.#expiry.get(key);
        return at === undefined ? -1 : at - this.now();
      }
      default:
        throw new Error(`MemoryKeyValue: ${name} is not supported`);
    }
  }
}
