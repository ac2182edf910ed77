import { describe, expect, test } from 'vitest';
import { Runtime, startServer, type ServerBehaviour } from '@quiesce/runtime';

/** A server that answers `stop` with { stop, reply }: the caller must get the reply, whatever the interleaving. */
const stopper: ServerBehaviour<null> = {
  init: () => ({ state: null }),
  handleCall: (_req: unknown, _from, state) => ({ stop: 'normal', reply: 'bye', state }),
};

describe('a call answered with { stop, reply }', () => {
  // OTP: the reply and the DOWN the caller's monitor gets travel server -> caller, in order.
  test.each(Array.from({ length: 32 }, (_, seed) => seed))('resolves with the reply under the random scheduler (seed %i)', async (seed) => {
    const rt = new Runtime({ clock: 'virtual', scheduler: { random: seed } });
    const server = await startServer(rt, stopper, undefined);
    // A second server keeps more than one delivery ready, so the scheduler has choices to make.
    const busy = await startServer(
      rt,
      { init: () => ({ state: 0 }), handleCast: (_m: unknown, n: number) => ({ state: n + 1 }) } satisfies ServerBehaviour<number>,
      undefined,
    );
    for (let i = 0; i < 4; i++) rt.cast(busy, i);
    await expect(rt.call(server, 'stop')).resolves.toBe('bye');
  });

  test('from inside a process too', async () => {
    for (let seed = 0; seed < 32; seed++) {
      const rt = new Runtime({ clock: 'virtual', scheduler: { random: seed } });
      const server = await startServer(rt, stopper, undefined);
      const got = new Promise((resolve) =>
        rt.spawn(async (_m, ctx) => resolve(await ctx.call(server, 'stop').catch((e: unknown) => e)), { init: (ctx) => ctx.send(ctx.self, 'go') }),
      );
      expect(await got, `seed ${seed}`).toBe('bye');
    }
  });
});
