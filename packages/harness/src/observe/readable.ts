/**
 * A bounded, JSON-safe copy of any value, for history events whose data comes from third parties
 * (live sockets, workers, emitters): timelines print it on one line, so it must be short, must
 * not crash on cycles, and should say what a thing is (its class) rather than dump its internals.
 *
 * Plain data (objects, arrays, strings, numbers) comes back as an equal copy within the limits,
 * so patterns like `{ data: { id: 'w1' } }` match as before.
 */
export interface ReadableLimits {
  /** Nesting levels kept; deeper objects become `[ClassName]`. */
  readonly depth: number;
  /** Keys kept per object; the rest are counted. */
  readonly keys: number;
  /** Items kept per array, Map or Set; the rest are counted. */
  readonly items: number;
  /** Characters kept per string. */
  readonly string: number;
}

export const READABLE_LIMITS: ReadableLimits = { depth: 4, keys: 20, items: 20, string: 500 };

/** The key that names an instance's class in its readable copy: `{ '@class': 'Worker', threadId: 1 }`. */
export const CLASS_KEY = '@class';

export function readable(value: unknown, limits: ReadableLimits = READABLE_LIMITS): unknown {
  return copy(value, limits, 0, []);
}

function copy(value: unknown, limits: ReadableLimits, depth: number, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'string':
      return value.length <= limits.string ? value : `${value.slice(0, limits.string)}…(+${value.length - limits.string} chars)`;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    case 'object':
      return value === null ? null : copyObject(value, limits, depth, ancestors);
    default:
      return value; // boolean, undefined
  }
}

function copyObject(value: object, limits: ReadableLimits, depth: number, ancestors: object[]): unknown {
  if (ancestors.includes(value)) return '[Circular]';
  const name = className(value);
  if (value instanceof Error) return { error: value.name, message: value.message, ...codeOf(value) };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${name} ${value.byteLength} bytes]`;
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return `[${name}]`;
  const json = toJson(value);
  if (json.has) return copy(json.value, limits, depth, [...ancestors, value]);
  if (depth >= limits.depth) return Array.isArray(value) ? `[Array(${value.length})]` : `[${name}]`;
  const inner = [...ancestors, value];
  const items = (list: readonly unknown[]): unknown[] => {
    const kept = list.slice(0, limits.items).map((item) => copy(item, limits, depth + 1, inner));
    return list.length > limits.items ? [...kept, `… ${list.length - limits.items} more`] : kept;
  };
  if (Array.isArray(value)) return items(value);
  if (value instanceof Map) return { [CLASS_KEY]: name, size: value.size, entries: items([...value.entries()]) };
  if (value instanceof Set) return { [CLASS_KEY]: name, size: value.size, values: items([...value.values()]) };

  const plain = name === 'Object';
  const out: Record<string, unknown> = plain ? {} : { [CLASS_KEY]: name };
  // An instance's `_private` fields (EventEmitter's `_events`, ...) are internals, not what it is.
  const keys = Object.keys(value).filter((key) => plain || !key.startsWith('_'));
  for (const key of keys.slice(0, limits.keys)) {
    let field: unknown;
    try {
      field = (value as Record<string, unknown>)[key];
    } catch (error) {
      define(out, key, `[unreadable: ${error instanceof Error ? error.message : String(error)}]`);
      continue;
    }
    define(out, key, copy(field, limits, depth + 1, inner));
  }
  if (keys.length > limits.keys) out['…'] = `${keys.length - limits.keys} more keys`;
  return out;
}

/** An own property even for `__proto__`, which an assignment would take as the prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `Object` for plain objects (and null-prototype ones), else the constructor's name. */
function className(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  if (proto === null || proto === Object.prototype) return 'Object';
  const name = proto.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous class';
}

function codeOf(error: Error): { code?: unknown } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? { code } : {};
}

/** Values that say how they serialise (`toJSON`: pids, URLs, Buffers' cousins) are taken at their word. */
function toJson(value: object): { has: true; value: unknown } | { has: false } {
  const fn = (value as { toJSON?: unknown }).toJSON;
  if (typeof fn !== 'function') return { has: false };
  try {
    const out: unknown = fn.call(value);
    return out === value ? { has: false } : { has: true, value: out };
  } catch {
    return { has: false };
  }
}
