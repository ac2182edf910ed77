import { stripVTControlCharacters } from 'node:util';
import type { ExitReason, StartFn } from '@quiesce/runtime';

/**
 * A worker for the tests: `'crash'` makes it throw (exit reason Error boom), `{ exit: reason }`
 * makes it exit with that reason, `{ stall: true }` blocks it forever on a kernel wait (so it
 * never answers a sync, and the system still counts as idle). With `crashAfter` it sends itself
 * `'crash'` that many virtual ms after it starts.
 */
export const flaky =
  (crashAfter?: number): StartFn =>
  (ctx) =>
    ctx.spawn(
      async (msg, self) => {
        if (msg === 'crash') throw new Error('boom');
        if (typeof msg === 'object' && msg !== null && 'exit' in msg) self.exit((msg as { exit: ExitReason }).exit);
        if (typeof msg === 'object' && msg !== null && 'stall' in msg) await self.await(new Promise<never>(() => undefined));
      },
      { init: (self) => void (crashAfter !== undefined && self.sendAfter(crashAfter, 'crash')) },
    );

/** A start function whose start takes `ms` of virtual time (a slow restart). */
export const slowStart =
  (ms: number): StartFn =>
  async (ctx) => {
    await new Promise<void>((resolve) => ctx.runtime.setTimer(ms, resolve));
    return flaky()(ctx);
  };

/** The message of the error `run` throws or rejects with, colours stripped; fails if it passes. */
export async function failureOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return stripVTControlCharacters(error instanceof Error ? error.message : String(error));
  }
  throw new Error('expected the assertion to fail, but it passed');
}
