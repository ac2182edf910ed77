import type { ResolvedModel } from './model.js';

/**
 * Linearizability (Herlihy & Wing) by the Wing–Gong search with Lowe's memoisation, as Porcupine
 * does it: walk the history's call and return events in order; at a call, try to linearize that
 * operation now (the model must give its observed output), lifting it out of the history; at a
 * return whose call is not linearized yet, undo the last choice. A (set of linearized operations,
 * model state) pair already explored is not explored again, which keeps the search polynomial for
 * the histories tests produce.
 */

/** One completed (or pending) operation of a concurrent history. */
export interface Operation<I = unknown, O = unknown> {
  /** 0-based, unique in its history. */
  readonly id: number;
  /** Which client ran it: one client's operations never overlap. */
  readonly client: number;
  readonly input: I;
  /** What it returned; unused when `pending`. */
  readonly output: O;
  /** Position of its invocation in the real order of events (a history seq). */
  readonly call: number;
  /** Position of its response, or undefined if it never returned (it may or may not have taken effect). */
  readonly ret: number | undefined;
  /** Virtual milliseconds of its invocation and response, for timelines. */
  readonly callTime?: number;
  readonly retTime?: number | undefined;
}

export type LinearizabilityVerdict<I = unknown, O = unknown> =
  | {
      readonly linearizable: true /** The operations in a linearization order (pending ones that took effect included). */;
      readonly order: readonly Operation<I, O>[];
    }
  | {
      readonly linearizable: false;
      /** The longest prefix of operations the search could linearize. */
      readonly longest: readonly Operation<I, O>[];
      /** The model's state after that prefix. */
      readonly state: unknown;
      /** The operations that had to come next (their calls precede the earliest pending return) and what the model would return for each. */
      readonly stuck: readonly { readonly op: Operation<I, O>; readonly expected: O }[];
    };

interface Entry {
  /** The operation; call entries and return entries share it. */
  op: Operation;
  isCall: boolean;
  /** The other entry of the operation. */
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** Check `history` against `model`: is there an order, consistent with real time, that the model accepts? */
export function checkLinearizable<S, I, O>(history: readonly Operation<I, O>[], model: ResolvedModel<S, I, O>): LinearizabilityVerdict<I, O> {
  const n = history.length;
  if (n === 0) return { linearizable: true, order: [] };
  const head = buildList(history as readonly Operation[]);
  const words = Math.ceil(n / 32);
  const linearized = new Uint32Array(words);
  const cache = new Set<string>();
  const calls: Array<{ entry: Entry; state: S }> = [];
  let state = model.init;
  let longest: Operation[] = [];
  let longestState: S = state;
  let entry = head.next;
  while (head.next !== undefined) {
    if (entry === undefined) break;
    if (entry.isCall) {
      const op = entry.op as Operation<I, O>;
      const next = model.step(state, op.input);
      const pending = op.ret === undefined;
      if (pending || model.equal(op.output, next.output)) {
        setBit(linearized, op.id);
        const key = `${bitsKey(linearized)}|${model.key(next.state)}`;
        if (!cache.has(key)) {
          cache.add(key);
          calls.push({ entry, state });
          state = next.state;
          if (calls.length > longest.length) {
            longest = calls.map((c) => c.entry.op);
            longestState = state;
          }
          lift(entry);
          entry = head.next;
          continue;
        }
        clearBit(linearized, op.id);
      }
      entry = entry.next;
    } else {
      // A return whose operation is not linearized yet: every order from here misses it. Undo.
      const top = calls.pop();
      if (top === undefined) return failure(history, longest as Operation<I, O>[], longestState, model);
      state = top.state;
      clearBit(linearized, top.entry.op.id);
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  // Everything left is calls of pending operations: they need not take effect.
  return { linearizable: true, order: calls.map((c) => c.entry.op as Operation<I, O>) };
}

/** The call and return entries in real order (pending returns last, in call order), behind a sentinel head. */
function buildList(history: readonly Operation[]): Entry {
  const entries: Array<{ at: number; tie: number; entry: Entry }> = [];
  const last = Math.max(...history.map((op) => Math.max(op.call, op.ret ?? op.call))) + 1;
  for (const op of history) {
    const call: Entry = { op, isCall: true, match: undefined, prev: undefined, next: undefined };
    const ret: Entry = { op, isCall: false, match: call, prev: undefined, next: undefined };
    call.match = ret;
    entries.push({ at: op.call, tie: 0, entry: call });
    entries.push({ at: op.ret ?? last + op.call, tie: 1, entry: ret });
  }
  entries.sort((a, b) => a.at - b.at || a.tie - b.tie);
  const head: Entry = { op: history[0]!, isCall: false, match: undefined, prev: undefined, next: undefined };
  let prev = head;
  for (const { entry } of entries) {
    prev.next = entry;
    entry.prev = prev;
    prev = entry;
  }
  return head;
}

/** The bitset as a short string (one base-36 number per word). */
function bitsKey(bits: Uint32Array): string {
  if (bits.length === 1) return bits[0]!.toString(36);
  let key = '';
  for (let i = 0; i < bits.length; i++) key += `${bits[i]!.toString(36)}.`;
  return key;
}

function setBit(bits: Uint32Array, i: number): void {
  bits[i >>> 5] = (bits[i >>> 5] ?? 0) | (1 << (i & 31));
}

function clearBit(bits: Uint32Array, i: number): void {
  bits[i >>> 5] = (bits[i >>> 5] ?? 0) & ~(1 << (i & 31));
}

function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

function failure<S, I, O>(
  history: readonly Operation<I, O>[],
  longest: Operation<I, O>[],
  state: S,
  model: ResolvedModel<S, I, O>,
): LinearizabilityVerdict<I, O> {
  const done = new Set(longest.map((op) => op.id));
  const rest = history.filter((op) => !done.has(op.id));
  // The operations that could have come next: called before the earliest return among the rest.
  const firstReturn = Math.min(...rest.map((op) => op.ret ?? Number.POSITIVE_INFINITY));
  const candidates = rest.filter((op) => op.call < firstReturn);
  return {
    linearizable: false,
    longest,
    state,
    stuck: candidates.map((op) => ({ op, expected: model.step(state, op.input).output })),
  };
}
