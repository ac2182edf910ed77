import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import type { Attach, ObserverSink } from './observer.js';

/** A Node EventEmitter or anything shaped like one (`on` plus `off` or `removeListener`). */
export interface NodeEmitterLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off?(event: string, listener: (...args: any[]) => void): unknown;
  removeListener?(event: string, listener: (...args: any[]) => void): unknown;
}

/** A DOM-style EventTarget (Node's global EventTarget, AbortSignal, a browser-like object). */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}

export type ObservableEmitter = NodeEmitterLike | EventTargetLike;

/** What a mapping function turns an emitted event into. */
export interface ObservedEvent {
  /** The history kind, e.g. `pool.workerCreate`. */
  kind: string;
  /** Who it happened to; default the observer's source (options.source or the emitter's class name). */
  source?: string;
  data?: unknown;
}

/**
 * Turns the arguments of one emitted event into a history event, or `undefined` to skip it.
 * Node emitters pass their emit arguments; an EventTarget passes the one Event object.
 */
export type EventMapper = (...args: any[]) => ObservedEvent | undefined;

/**
 * Event name -> what to record. A string is the history kind, recorded with the event's arguments
 * (as an array) as data; a function returns `{ kind, source?, data }` or `undefined` to skip.
 */
export type EventMapping = Readonly<Record<string, string | EventMapper>>;

export interface ObserveOptions {
  /** The source of recorded events unless a mapping function names one. Default: the emitter's class name. */
  source?: string;
}

type Listen = (event: string, listener: (...args: any[]) => void) => () => void;

/** How to add and remove listeners on `emitter`, or a QuiesceError saying what is accepted. */
function listenerApi(emitter: unknown): Listen {
  const e = emitter as Partial<NodeEmitterLike & EventTargetLike> | null;
  if ((typeof e === 'object' || typeof e === 'function') && e !== null) {
    // Prefer the Node style when both exist: its listeners get the emit arguments, not a wrapper.
    const off = typeof e.off === 'function' ? e.off : e.removeListener;
    if (typeof e.on === 'function' && typeof off === 'function') {
      return (event, listener) => {
        e.on!.call(e, event, listener);
        return () => void off.call(e, event, listener);
      };
    }
    if (typeof e.addEventListener === 'function' && typeof e.removeEventListener === 'function') {
      return (event, listener) => {
        e.addEventListener!.call(e, event, listener);
        return () => e.removeEventListener!.call(e, event, listener);
      };
    }
  }
  throw new InvalidOptionError(
    'observe(emitter)',
    emitter,
    'an EventEmitter (on + off/removeListener) or an EventTarget (addEventListener + removeEventListener)',
  );
}

/** Validate a mapping, naming the first bad key; returns its entries. */
export function validateMapping(mapping: unknown): Array<[string, string | EventMapper]> {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw new InvalidOptionError('observe(mapping)', mapping, "an object mapping event names to a history kind or a function, e.g. { exit: 'worker.exit' }");
  }
  const symbols = Object.getOwnPropertySymbols(mapping);
  if (symbols.length > 0) {
    throw new InvalidOptionError(`observe(mapping)[${String(symbols[0])}]`, mapping, 'string event names only');
  }
  const entries = Object.entries(mapping as Record<string, unknown>);
  if (entries.length === 0) throw new InvalidOptionError('observe(mapping)', mapping, 'at least one event name');
  for (const [event, target] of entries) {
    if (event === '') throw new InvalidOptionError('observe(mapping)[""]', target, 'a non-empty event name');
    if (typeof target === 'string' ? target === '' : typeof target !== 'function') {
      throw new InvalidOptionError(
        `observe(mapping).${event}`,
        target,
        'a non-empty history kind string, or a function returning { kind, source?, data } or undefined',
      );
    }
  }
  return entries as Array<[string, string | EventMapper]>;
}

function validateObserveOptions(options: unknown): ObserveOptions {
  checkOptions('observe options', options, ['source']);
  const { source } = options as ObserveOptions;
  if (source !== undefined && (typeof source !== 'string' || source === '')) throw new InvalidOptionError('observe.source', source, 'a non-empty string');
  return options as ObserveOptions;
}

function defaultSource(emitter: object): string {
  const name = (emitter as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'emitter';
}

/** Everything needed to attach: validated up front so a rejected call leaves nothing attached. */
export interface PreparedEmitter {
  readonly label: string;
  readonly attach: Attach;
}

export function prepareEmitter(emitter: unknown, mapping: unknown, options: unknown = {}): PreparedEmitter {
  const listen = listenerApi(emitter);
  const entries = validateMapping(mapping);
  const source = validateObserveOptions(options).source ?? defaultSource(emitter as object);
  const label = `${source} (${entries.map(([event]) => event).join(', ')})`;
  const attach: Attach = (sink) => {
    const detachers = entries.map(([event, target]) => listen(event, (...args: unknown[]) => deliver(sink, source, event, target, args)));
    return () => {
      for (const detach of detachers) detach();
    };
  };
  return { label, attach };
}

/** Map one emitted event and record it. Never throws into the emitter: failures go to the sink. */
function deliver(sink: ObserverSink, source: string, event: string, target: string | EventMapper, args: unknown[]): void {
  if (typeof target === 'string') {
    sink.record(target, source, args);
    return;
  }
  let mapped: unknown;
  try {
    mapped = target(...args);
  } catch (error) {
    sink.fail(
      new QuiesceError(
        'INVALID_OPTION',
        `observe(mapping).${event}: the mapping function threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        { event, cause: error },
      ),
    );
    return;
  }
  if (mapped === undefined) return;
  const m = mapped as Partial<ObservedEvent> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.kind !== 'string' ||
    m.kind === '' ||
    (m.source !== undefined && (typeof m.source !== 'string' || m.source === ''))
  ) {
    sink.fail(
      new InvalidOptionError(
        `observe(mapping).${event} (its result)`,
        mapped,
        'undefined (skip) or { kind: non-empty string, source?: non-empty string, data?: unknown }',
      ),
    );
    return;
  }
  sink.record(m.kind, m.source ?? source, m.data);
}
