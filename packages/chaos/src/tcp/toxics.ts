import { InvalidOptionError } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import { checkCount, checkInteger, checkOneOf, checkRate } from '../options.js';

/** Toxiproxy's toxics. */
export type ToxicType = 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';
export const TOXIC_TYPES: readonly ToxicType[] = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'];

/** `upstream`: what the client sends to the server; `downstream` (default): what the server sends back. */
export type Direction = 'upstream' | 'downstream';

/** What every toxic takes. */
export interface ToxicCommon {
  /** Which way the data it affects flows. Default 'downstream'. */
  direction?: Direction;
  /** The share of connections it affects, drawn per connection from the seed. Default 1. */
  toxicity?: number;
  /** At most this many connections affected (an addition to Toxiproxy's model). Default Infinity. */
  count?: number;
}

/** The attributes of each toxic, as Toxiproxy names them (camelCase). Times in milliseconds, except the slicer's delay. */
export interface ToxicAttributes {
  /** Each chunk is held `latency` ms, plus 0..`jitter` drawn per chunk. */
  latency: { latency: number; jitter?: number };
  /** At most `rate` KB (1024 bytes) per second. */
  bandwidth: { rate: number };
  /** The close (end of stream) is passed on `delay` ms late. */
  slow_close: { delay: number };
  /** Nothing passes; the connection is closed after `timeout` ms (0: held open until the toxic is removed). */
  timeout: { timeout: number };
  /** The connection is reset (TCP RST) after `timeout` ms (0: at once). */
  reset_peer: { timeout?: number };
  /** Chunks are cut into pieces of `averageSize` ± `sizeVariation` bytes, `delay` µs apart. */
  slicer: { averageSize: number; sizeVariation?: number; delay?: number };
  /** The connection is closed once `bytes` have passed. */
  limit_data: { bytes: number };
}

export type ToxicOptions<T extends ToxicType> = ToxicAttributes[T] & ToxicCommon;

/** A toxic's settings, checked. */
export interface ToxicSpec {
  readonly type: ToxicType;
  readonly direction: Direction;
  readonly toxicity: number;
  readonly count: number;
  readonly latency: number;
  readonly jitter: number;
  /** Bytes per millisecond (bandwidth). */
  readonly bytesPerMs: number;
  /** slow_close delay, timeout, reset_peer timeout: milliseconds. */
  readonly ms: number;
  readonly averageSize: number;
  readonly sizeVariation: number;
  /** Slicer: milliseconds between pieces. */
  readonly sliceDelay: number;
  readonly bytes: number;
}

const ATTRIBUTE_KEYS: Record<ToxicType, readonly string[]> = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  slicer: ['averageSize', 'sizeVariation', 'delay'],
  limit_data: ['bytes'],
};

export function parseToxic(type: unknown, options: unknown): ToxicSpec {
  const t = checkOneOf('toxic(type)', type, TOXIC_TYPES);
  const where = `${t} options`;
  if (t === 'reset_peer' && options === undefined) options = {};
  checkOptions(where, options, [...ATTRIBUTE_KEYS[t], 'direction', 'toxicity', 'count']);
  const o = options as Record<string, unknown>;
  const spec = {
    type: t,
    direction: o.direction === undefined ? 'downstream' : checkOneOf(`${where}.direction`, o.direction, ['upstream', 'downstream'] as const),
    toxicity: o.toxicity === undefined ? 1 : checkRate(`${where}.toxicity`, o.toxicity),
    count: o.count === undefined ? Number.POSITIVE_INFINITY : checkCount(`${where}.count`, o.count),
    latency: 0,
    jitter: 0,
    bytesPerMs: 0,
    ms: 0,
    averageSize: 0,
    sizeVariation: 0,
    sliceDelay: 0,
    bytes: 0,
  };
  switch (t) {
    case 'latency':
      spec.latency = checkMilliseconds(`${where}.latency`, o.latency);
      spec.jitter = o.jitter === undefined ? 0 : checkMilliseconds(`${where}.jitter`, o.jitter);
      break;
    case 'bandwidth': {
      const rate = o.rate;
      if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) {
        throw new InvalidOptionError(`${where}.rate`, rate, 'a number of KB per second > 0');
      }
      spec.bytesPerMs = (rate * 1024) / 1000;
      break;
    }
    case 'slow_close':
      spec.ms = checkMilliseconds(`${where}.delay`, o.delay);
      break;
    case 'timeout':
      spec.ms = checkMilliseconds(`${where}.timeout`, o.timeout);
      break;
    case 'reset_peer':
      spec.ms = o.timeout === undefined ? 0 : checkMilliseconds(`${where}.timeout`, o.timeout);
      break;
    case 'slicer':
      spec.averageSize = checkInteger(`${where}.averageSize`, o.averageSize, 1);
      spec.sizeVariation = o.sizeVariation === undefined ? 0 : checkInteger(`${where}.sizeVariation`, o.sizeVariation, 0);
      if (spec.sizeVariation >= spec.averageSize) {
        throw new InvalidOptionError(`${where}.sizeVariation`, o.sizeVariation, `an integer smaller than averageSize (${spec.averageSize})`);
      }
      spec.sliceDelay = o.delay === undefined ? 0 : checkInteger(`${where}.delay`, o.delay, 0) / 1000;
      break;
    case 'limit_data':
      spec.bytes = checkInteger(`${where}.bytes`, o.bytes, 0);
      break;
  }
  return spec;
}

/** The toxic's attributes as recorded in events. */
export function describeToxic(spec: ToxicSpec): Record<string, unknown> {
  const count = spec.count !== Number.POSITIVE_INFINITY ? { count: spec.count } : {};
  const base = { type: spec.type, direction: spec.direction, toxicity: spec.toxicity, ...count };
  switch (spec.type) {
    case 'latency':
      return { ...base, latency: spec.latency, jitter: spec.jitter };
    case 'bandwidth':
      return { ...base, rate: (spec.bytesPerMs * 1000) / 1024 };
    case 'slow_close':
      return { ...base, delay: spec.ms };
    case 'timeout':
    case 'reset_peer':
      return { ...base, timeout: spec.ms };
    case 'slicer':
      return { ...base, averageSize: spec.averageSize, sizeVariation: spec.sizeVariation, delay: spec.sliceDelay * 1000 };
    case 'limit_data':
      return { ...base, bytes: spec.bytes };
  }
}
