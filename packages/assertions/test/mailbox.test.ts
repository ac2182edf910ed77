import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError, type Pid } from '@quiesce/runtime';
import { test, type TestSystem } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf } from './support.js';

/**
 * A server that handles each message at once, and a burster that sends it `burst` messages at
 * 5 ms of virtual time: the mailbox fills and drains within that instant, between two points of
 * a sampler that looks every 10 ms.
 */
function burstAt5ms(system: TestSystem, burst: number): { server: Pid; sampled: () => number } {
  const server = system.runtime.spawn(() => undefined, { label: 'server' });
  system.runtime.spawn(
    (msg, self) => {
      if (msg === 'burst') for (let i = 0; i < burst; i++) self.send(server, { job: i });
    },
    { label: 'burster', init: (self) => void self.sendAfter(5, 'burst') },
  );
  // What a 10 ms sampler (Supertester's measure_mailbox_growth) would see: message_queue_len at 0, 10, 20 ms.
  let sampledMax = system.runtime.messageQueueLength(server);
  system.runtime.spawn(
    (msg, self) => {
      sampledMax = Math.max(sampledMax, system.runtime.messageQueueLength(server));
      if (msg === 'sample' && self.now() < 30) self.sendAfter(10, 'sample');
    },
    { label: 'sampler', init: (self) => void self.sendAfter(10, 'sample') },
  );
  return { server, sampled: () => sampledMax };
}

describe('measureMailbox', () => {
  test('sees a spike between two 10 ms sample points that a sampler misses', async ({ system }) => {
    const { server, sampled } = burstAt5ms(system, 150);
    const m = await system.measureMailbox(server, () => system.advance(30));
    expect(sampled()).toBe(0);
    expect(m).toMatchObject({ label: 'server', initial: 0, final: 0, max: 150, peakAt: 5, enqueued: 150, dequeued: 150, from: 0, to: 30, settledBy: 'idle' });
    expect(m.peakTrail.at(-1)).toEqual({ time: 5, length: 150, seq: m.peakSeq });
    expect(m.mean).toBeGreaterThan(0);
  });

  test('with settle (the default) measures the deliveries an operation caused after it returned', async ({ system }) => {
    const server = system.runtime.spawn(() => undefined, { label: 'server' });
    // The casts are delivered after the operation returns (in the scheduler's next turn).
    const m = await system.measureMailbox(server, () => {
      for (let i = 0; i < 7; i++) system.runtime.cast(server, i);
    });
    expect(m.max).toBe(7);
    const early = await system.measureMailbox(
      server,
      () => {
        for (let i = 0; i < 7; i++) system.runtime.cast(server, i);
      },
      { settle: false },
    );
    expect(early.max).toBe(0);
    expect(early.settledBy).toBeUndefined();
  });

  test('refuses bad options, naming them', async ({ system }) => {
    const server = system.runtime.spawn(() => undefined);
    await expect(system.measureMailbox(server, () => undefined, { setle: true } as never)).rejects.toThrow(
      /measureMailbox options\.setle.*did you mean 'settle'/,
    );
    await expect(system.measureMailbox('server' as never, () => undefined)).rejects.toThrow(QuiesceError);
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (settle) => {
        fc.pre(typeof settle !== 'boolean' && settle !== undefined);
        await expect(system.measureMailbox(server, () => undefined, { settle } as never)).rejects.toThrow(
          /measureMailbox options\.settle: got .*; expected a boolean/,
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('toKeepMailboxWithin', () => {
  test('passes when the peak is within the bound', async ({ system }) => {
    const { server } = burstAt5ms(system, 150);
    await expect(server).toKeepMailboxWithin(150, { during: () => system.advance(30) });
  });

  test('fails on the spike a sampler misses, with the figures and the timeline of the peak', async ({ system }) => {
    const { server, sampled } = burstAt5ms(system, 150);
    const message = await failureOf(() => expect(server).toKeepMailboxWithin(100, { during: () => system.advance(30) }));
    expect(sampled()).toBe(0);
    expect(message).toContain('Expected the mailbox of server to hold at most 100 messages, but it held 150 at 5ms (virtual).');
    expect(message).toContain('Measured: initial 0, final 0, max 150 (at 5ms), mean');
    expect(message).toContain('150 in, 150 out, from 0ms to 30ms');
    expect(message).toContain('Mailbox changes up to the peak (last 20):\n         5ms  length 131 -> 150 (20 changes), history #5');
    expect(message).toContain('History around the peak:\n#   0');
    expect(message).toMatch(/#\s+4\s+0ms\s+process\.spawn\s+sampler/);
  });

  test('judges a measurement; .not fails when the mailbox stayed within', async ({ system }) => {
    const { server } = burstAt5ms(system, 3);
    const m = await system.measureMailbox(server, () => system.advance(30));
    await expect(m).toKeepMailboxWithin(3);
    await expect(m).not.toKeepMailboxWithin(2);
    const message = await failureOf(() => expect(m).not.toKeepMailboxWithin(5));
    expect(message).toContain('Expected the mailbox of server to exceed 5, but it peaked at 3.');
  });

  test('refuses a missing operation, a bad bound and options it does not know', async ({ system }) => {
    const server = system.runtime.spawn(() => undefined);
    await expect(expect(server).toKeepMailboxWithin(10)).rejects.toThrow(/toKeepMailboxWithin options\.during: got undefined; expected the operation/);
    await expect(expect(server).toKeepMailboxWithin(-1, { during: () => undefined })).rejects.toThrow(
      /toKeepMailboxWithin\(max\): got -1; expected an integer >= 0/,
    );
    await expect(expect(server).toKeepMailboxWithin(1, { during: () => undefined, max: 3 } as never)).rejects.toThrow(/toKeepMailboxWithin\.max/);
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (max) => {
        fc.pre(!(Number.isSafeInteger(max) && (max as number) >= 0));
        await expect(expect(server).toKeepMailboxWithin(max as number, { during: () => undefined })).rejects.toThrow(QuiesceError);
      }),
      { numRuns: 50 },
    );
  });
});
