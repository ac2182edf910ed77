/**
 * Small helpers shared by the runtime's own tests (not a public API). Every helper works on the
 * runtime it is given: no module state, so tests stay independent under shuffle and parallelism.
 */
import { Runtime, type ChildSpec, type ExitReason, type HistoryEvent, type Pid, type RuntimeOptions, type StartContext } from '@quiesce/runtime';

/** A runtime on a virtual clock (the only kind these tests use for anything time-dependent). */
export function vrt(options: Omit<RuntimeOptions, 'clock'> = {}): Runtime {
  return new Runtime({ ...options, clock: 'virtual' });
}

/** A message a crashable worker understands. */
export type Order = { crash: ExitReason } | { throw: unknown } | { exitAsync: ExitReason };

/**
 * A start function for a worker that exits with `reason` when sent `{ crash: reason }`, throws
 * `value` when sent `{ throw: value }`, and otherwise ignores messages.
 */
export function crashable(options: { trapExit?: boolean } = {}) {
  return (ctx: StartContext): Pid =>
    ctx.spawn(
      async (msg, pctx) => {
        const order = msg as Partial<{ crash: ExitReason; throw: unknown; exitAsync: ExitReason }>;
        if (typeof msg !== 'object' || msg === null) return;
        if ('crash' in order) pctx.exit(order.crash as ExitReason);
        else if ('throw' in order) throw order.throw;
        else if ('exitAsync' in order) {
          await Promise.resolve();
          pctx.exit(order.exitAsync as ExitReason);
        }
      },
      options.trapExit ? { trapExit: true } : {},
    );
}

export function child(id: string, options: Omit<ChildSpec, 'id' | 'start'> = {}, start: ChildSpec['start'] = crashable()): ChildSpec {
  return { ...options, id, start };
}

/** `kind id` for every history event of the given kinds with an `id` in its data, in order. */
export function trace(rt: Runtime, kinds: readonly string[], fromSeq = 0): string[] {
  return rt.history.events
    .filter((e) => e.seq >= fromSeq && kinds.includes(e.kind))
    .map((e) => `${e.kind} ${String((e.data as { id?: unknown }).id ?? '')}`.trimEnd());
}

export function ofKind(rt: Runtime, kind: string, fromSeq = 0): HistoryEvent[] {
  return rt.history.events.filter((e) => e.seq >= fromSeq && e.kind === kind);
}

/** Capture the rejection of a promise (or throw of a function) to assert on it. */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but it resolved');
}

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but it returned');
}
