import { InvalidOptionError, Random, type TimerHandle } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions, realTimer } from '@quiesce/runtime/internal';
import { InjectedFault } from '../errors.js';
import { countersOf } from '../fault.js';
import { resolveHost, type ChaosHost, type Host } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';
import { checkFunction, checkName, checkRate, checkSubset } from '../options.js';

/** How a call fails. */
export type FailureType = 'exit' | 'timeout' | 'disconnect' | 'throw' | 'reject' | 'hang';
export const FAILURE_TYPES: readonly FailureType[] = ['exit', 'timeout', 'disconnect', 'throw', 'reject', 'hang'];

/** What the effect of an `exit` or `disconnect` failure is told: which call failed. */
export interface FailedCall {
  readonly call: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface InjectOptions {
  /** The share of calls that fail, drawn per call from the seed. */
  rate: number;
  /** How they fail, one drawn per failing call. Default ['reject']. See FailureType and docs/chaos.md. */
  types?: FailureType[];
  /** Draw from this system's (or runtime's) seed, record `fault.inject` in its history, time on its clock. */
  system?: ChaosHost;
  /** Or draw from this seed (no history; `timeout` uses real time). One of `system` and `seed` is required. */
  seed?: number;
  /** Names the injector in events and streams. Default: the function's name, or 'object'. */
  label?: string;
  /** Milliseconds before a `timeout` failure rejects: kernel time with `system`, real time with `seed`. Default 5000. */
  timeout?: number;
  /** Only these methods of an object fail (others pass through). Default: every method. */
  methods?: string[];
  /** Run when an `exit` failure is injected (kill the worker the call went to, say). */
  onExit?: (call: FailedCall) => void;
  /** Run when a `disconnect` failure is injected (destroy the socket, say). */
  onDisconnect?: (call: FailedCall) => void;
}

/** What happened to the calls through one wrapper. */
export interface InjectionLog {
  readonly calls: number;
  /** Every injected failure, in call order. */
  readonly injected: ReadonlyArray<{ readonly call: number; readonly method: string; readonly type: FailureType }>;
  /** Injected failures by type. */
  counts(): Partial<Record<FailureType, number>>;
  /** Stop failing calls; hung calls go through to the target now. */
  heal(): void;
}

const KEYS = ['rate', 'types', 'system', 'seed', 'label', 'timeout', 'methods', 'onExit', 'onDisconnect'] as const;
const injectors = new WeakMap<object, Injector>();

/**
 * Wrap `target` (a function, or an object whose methods are called) in a Proxy that fails calls
 * from the seed: `rate` of them, each in one of `types` ways, decided before the call (a failed
 * call never reaches the target). Code not built on the runtime (a piscina pool, a database
 * client) can be stressed this way. A failure other than `throw` returns a rejected (or never
 * settling) promise: wrap asynchronous APIs, or use types: ['throw'] for synchronous ones.
 */
export function injectFailures<T extends object>(target: T, options: InjectOptions): T {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) {
    throw new InvalidOptionError('injectFailures(target)', target, 'an object or a function to wrap');
  }
  const injector = new Injector(parseOptions(target, options));
  const proxy = typeof target === 'function' ? wrapFunction(target, injector) : wrapObject(target, injector);
  injectors.set(proxy, injector);
  return proxy;
}

/** The log of a wrapper injectFailures returned. */
export function injectionsOf(proxy: object): InjectionLog {
  const injector = typeof proxy === 'object' || typeof proxy === 'function' ? injectors.get(proxy) : undefined;
  if (!injector) throw new InvalidOptionError('injectionsOf(proxy)', proxy, 'a wrapper returned by injectFailures');
  return injector;
}

interface Parsed {
  readonly rate: number;
  readonly types: readonly FailureType[];
  readonly host: Host | undefined;
  readonly random: Random;
  readonly label: string;
  readonly timeout: number;
  readonly methods: ReadonlySet<string> | undefined;
  readonly onExit: ((call: FailedCall) => void) | undefined;
  readonly onDisconnect: ((call: FailedCall) => void) | undefined;
}

function parseOptions(target: object, options: InjectOptions): Parsed {
  checkOptions('injectFailures options', options, KEYS);
  const rate = checkRate('injectFailures options.rate', options.rate);
  const types = options.types === undefined ? (['reject'] as const) : checkSubset('injectFailures options.types', options.types, FAILURE_TYPES);
  const fallback = typeof target === 'function' && target.name ? target.name : 'object';
  const label = options.label === undefined ? fallback : checkName('injectFailures options.label', options.label);
  const timeout = options.timeout === undefined ? 5000 : checkMilliseconds('injectFailures options.timeout', options.timeout);
  const methods = options.methods === undefined ? undefined : new Set(checkMethods(options.methods));
  const onExit = optionalCallback('injectFailures options.onExit', options.onExit);
  const onDisconnect = optionalCallback('injectFailures options.onDisconnect', options.onDisconnect);
  if ((options.system === undefined) === (options.seed === undefined)) {
    throw new InvalidOptionError(
      'injectFailures options.system',
      options.system,
      "a test's system or a Runtime (or else options.seed), not both and not neither",
    );
  }
  let host: Host | undefined;
  let random: Random;
  if (options.system !== undefined) {
    host = resolveHost('injectFailures options.system', options.system);
    const n = ++countersOf(host.runtime).chaos;
    random = host.random.fork(`inject:${label}#${n}`);
  } else {
    const seed = options.seed;
    if (!(Number.isInteger(seed) && (seed as number) >= 0 && (seed as number) <= 0xffffffff)) {
      throw new InvalidOptionError('injectFailures options.seed', seed, 'an integer from 0 to 4294967295');
    }
    random = new Random(seed as number).fork(`inject:${label}`);
  }
  return { rate, types, host, random, label, timeout, methods, onExit, onDisconnect };
}

function optionalCallback(where: string, value: unknown): ((call: FailedCall) => void) | undefined {
  return value === undefined ? undefined : checkFunction<(call: FailedCall) => void>(where, value, '(call) => void');
}

function checkMethods(methods: unknown): string[] {
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || m === '')) {
    throw new InvalidOptionError('injectFailures options.methods', methods, 'an array of method names');
  }
  return methods as string[];
}

class Injector implements InjectionLog {
  calls = 0;
  readonly injected: Array<{ call: number; method: string; type: FailureType }> = [];
  readonly #o: Parsed;
  #healed = false;
  readonly #hung = new Set<() => void>();
  readonly #timers = new Set<() => void>();

  constructor(parsed: Parsed) {
    this.#o = parsed;
    parsed.host?.system?.own({ kind: 'chaos', label: `injectFailures(${parsed.label})`, dispose: () => this.#dispose(), alive: () => false });
  }

  counts(): Partial<Record<FailureType, number>> {
    const out: Partial<Record<FailureType, number>> = {};
    for (const { type } of this.injected) out[type] = (out[type] ?? 0) + 1;
    return out;
  }

  heal(): void {
    this.#healed = true;
    for (const release of [...this.#hung]) release();
    this.#hung.clear();
  }

  wants(method: string): boolean {
    return this.#o.methods === undefined || this.#o.methods.has(method);
  }

  /** One call through the wrapper: fail it per the seed, or run it. */
  call(method: string, run: () => unknown, args: readonly unknown[]): unknown {
    const call = ++this.calls;
    const o = this.#o;
    if (this.#healed || !(o.rate >= 1 || o.random.bool(o.rate))) return run();
    const type = o.types.length === 1 ? o.types[0]! : o.random.pick(o.types);
    this.injected.push({ call, method, type });
    o.host?.runtime.record(FAULT_KINDS.inject, o.label, { call, method, type });
    const what = `chaos: ${o.label}${method ? `.${method}` : ''} call ${call} failed: ${type}`;
    const fail = (code?: string): InjectedFault => new InjectedFault(type, o.label, what, code);
    switch (type) {
      case 'throw':
        throw fail();
      case 'reject':
        return Promise.reject(fail());
      case 'exit':
        o.onExit?.({ call, method, args });
        return Promise.reject(fail());
      case 'disconnect':
        o.onDisconnect?.({ call, method, args });
        return Promise.reject(fail('ECONNRESET'));
      case 'timeout':
        return new Promise((_resolve, reject) => {
          const cancel = this.#after(o.timeout, () => {
            this.#timers.delete(cancel);
            reject(fail('ETIMEDOUT'));
          });
          this.#timers.add(cancel);
        });
      case 'hang':
        // Never settles, until heal() lets it through to the target.
        return new Promise((resolve, reject) => {
          const release = (): void => {
            this.#hung.delete(release);
            try {
              Promise.resolve(run()).then(resolve, reject);
            } catch (error) {
              reject(error);
            }
          };
          this.#hung.add(release);
        });
    }
  }

  #after(ms: number, fn: () => void): () => void {
    const runtime = this.#o.host?.runtime;
    if (!runtime) return realTimer(ms, fn);
    const handle: TimerHandle = runtime.setTimer(ms, fn);
    return () => runtime.clearTimer(handle);
  }

  /** Teardown: stop failing, cancel pending timeouts; hung calls stay hung (the target may be gone). */
  #dispose(): void {
    this.#healed = true;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.#hung.clear();
  }
}

function wrapFunction<T extends object>(target: T, injector: Injector): T {
  return new Proxy(target, {
    apply: (fn, thisArg, args: unknown[]) => injector.call('', () => Reflect.apply(fn as (...a: unknown[]) => unknown, thisArg, args), args),
  });
}

function wrapObject<T extends object>(target: T, injector: Injector): T {
  const wrappers = new Map<PropertyKey, { original: unknown; wrapper: unknown }>();
  return new Proxy(target, {
    get: (obj, key) => {
      // Read from the target itself: methods that use #private fields need it as `this`.
      const value: unknown = Reflect.get(obj, key, obj);
      if (typeof value !== 'function' || typeof key !== 'string' || key === 'constructor' || key === 'then' || !injector.wants(key)) return value;
      const cached = wrappers.get(key);
      if (cached && cached.original === value) return cached.wrapper;
      const method = value as (...a: unknown[]) => unknown;
      const wrapper = function (this: unknown, ...args: unknown[]): unknown {
        return injector.call(key, () => Reflect.apply(method, obj, args), args);
      };
      wrappers.set(key, { original: value, wrapper });
      return wrapper;
    },
  });
}
