import { randomUUID } from 'node:crypto';
import { badRequest, ServiceError } from './errors.js';
import { run, NAME, type Value, MAX_STRING } from './interpreter.js';
import type { KeyValue } from './kv.js';
import type { Reply } from './resp.js';

export interface SessionOptions {
  /** A session expires this long after its last use, in ms. Default 30 minutes. */
  ttlMs?: number;
  /** The service's clock (ms): `Date.now` in production, a test's virtual clock in tests. */
  now?: () => number;
  /** New session ids; default random UUIDs. */
  newId?: () => string;
}

export interface ExecResult {
  stdout: string;
  error?: string;
}

export const MAX_CODE = 10_000;
const ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Code-execution sessions kept in Redis: each session is three hashes (meta, variables, files),
 * written together in one transaction and given a TTL, so an acknowledged write is complete and a
 * forgotten session disappears even if the service never sees it again. Expiry is decided on the
 * service's own clock (`expiresAt`), so it can be tested in virtual time; Redis's TTL is the backstop.
 */
export class SessionService {
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(
    private readonly kv: KeyValue,
    { ttlMs = 30 * 60_000, now = Date.now, newId = randomUUID }: SessionOptions = {},
  ) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`SessionService options.ttlMs: got ${ttlMs}; expected a positive integer of ms`);
    this.ttlMs = ttlMs;
    this.#now = now;
    this.#newId = newId;
  }

  /** Whether the store answers: resolves when it does, rejects (StoreUnavailableError for Redis) when not. */
  async ping(): Promise<void> {
    await this.kv.command('PING');
  }

  async create(): Promise<{ id: string; expiresAt: number }> {
    const id = this.#newId();
    const expiresAt = this.#now() + this.ttlMs;
    await this.kv.transaction([['HSET', metaKey(id), 'createdAt', this.#now(), 'expiresAt', expiresAt], ...this.#expire(id)]);
    return { id, expiresAt };
  }

  async exec(id: string, code: unknown): Promise<ExecResult> {
    if (typeof code !== 'string' || code.trim() === '') throw badRequest(`code: got ${describe(code)}; expected a non-empty string`);
    if (code.length > MAX_CODE) throw badRequest(`code: got ${code.length} characters; at most ${MAX_CODE}`);
    await this.#live(id);
    const vars = parseVars(await this.kv.command('HGETALL', varsKey(id)));
    const result = run(code, vars);
    if (result.error) return { stdout: result.stdout, error: result.error }; // a failed run changes nothing
    const commands: Array<Array<string | number>> = [];
    const changed = Object.entries(result.vars).filter(([name, value]) => vars[name] !== value);
    if (changed.length) commands.push(['HSET', varsKey(id), ...changed.flatMap(([name, value]) => [name, JSON.stringify(value)])]);
    if (result.deleted.length) commands.push(['HDEL', varsKey(id), ...result.deleted]);
    const files = Object.entries(result.files);
    if (files.length) commands.push(['HSET', filesKey(id), ...files.flat()]);
    await this.kv.transaction([...commands, ...this.#touch(id)]);
    return { stdout: result.stdout };
  }

  async getState(id: string): Promise<Record<string, Value>> {
    await this.#live(id);
    return parseVars(await this.kv.command('HGETALL', varsKey(id)));
  }

  /** Replace the session's variables; checked as a whole before anything is written. */
  async putState(id: string, vars: unknown): Promise<void> {
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars))
      throw badRequest(`vars: got ${describe(vars)}; expected an object of name: number | string`);
    const entries = Object.entries(vars as Record<string, unknown>);
    if (entries.length > 100) throw badRequest(`vars: got ${entries.length} variables; at most 100`);
    for (const [name, value] of entries) {
      if (!NAME.test(name)) throw badRequest(`vars: ${JSON.stringify(name)} is not a variable name (letters, digits, _; not starting with a digit)`);
      const ok = (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= MAX_STRING);
      if (!ok) throw badRequest(`vars.${name}: got ${describe(value)}; expected a finite number or a string of at most ${MAX_STRING} characters`);
    }
    await this.#live(id);
    const set = entries.length ? [['HSET', varsKey(id), ...entries.flatMap(([n, v]) => [n, JSON.stringify(v)])]] : [];
    await this.kv.transaction([['DEL', varsKey(id)], ...set, ...this.#touch(id)]);
  }

  async listFiles(id: string): Promise<string[]> {
    await this.#live(id);
    return ((await this.kv.command('HKEYS', filesKey(id))) as string[]).sort();
  }

  async readFile(id: string, name: string): Promise<string> {
    await this.#live(id);
    const content = await this.kv.command('HGET', filesKey(id), name);
    if (content === null) throw new ServiceError(404, 'FILE_NOT_FOUND', `session ${id} has no file ${JSON.stringify(name)}`);
    return content as string;
  }

  async delete(id: string): Promise<void> {
    await this.#live(id);
    await this.kv.command('DEL', metaKey(id), varsKey(id), filesKey(id));
  }

  /** The session exists and has not expired on the service's clock; else 404 / 410. */
  async #live(id: string): Promise<void> {
    if (!ID.test(id)) throw badRequest(`session id: got ${JSON.stringify(id.slice(0, 80))}; expected letters, digits and -`);
    const expiresAt = await this.kv.command('HGET', metaKey(id), 'expiresAt');
    if (expiresAt === null) throw new ServiceError(404, 'SESSION_NOT_FOUND', `session ${id} does not exist`);
    if (this.#now() >= Number(expiresAt))
      throw new ServiceError(410, 'SESSION_EXPIRED', `session ${id} expired at ${expiresAt} (idle longer than ${this.ttlMs} ms)`);
  }

  /** Sliding expiry: every use moves it on. */
  #touch(id: string): Array<Array<string | number>> {
    return [['HSET', metaKey(id), 'expiresAt', this.#now() + this.ttlMs], ...this.#expire(id)];
  }

  /** Redis's own TTL, a little after the service's, so Redis never drops a session the service still holds live. */
  #expire(id: string): Array<Array<string | number>> {
    const ms = this.ttlMs + 60_000;
    return [metaKey(id), varsKey(id), filesKey(id)].map((key) => ['PEXPIRE', key, ms]);
  }
}

export const metaKey = (id: string) => `session:${id}`;
export const varsKey = (id: string) => `session:${id}:vars`;
export const filesKey = (id: string) => `session:${id}:files`;

function parseVars(reply: Reply): Record<string, Value> {
  const flat = (reply ?? []) as string[];
  const vars: Record<string, Value> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) vars[flat[i]!] = JSON.parse(flat[i + 1]!) as Value;
  return vars;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? typeof value : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
