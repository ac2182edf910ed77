import { describe, expect, test } from 'vitest';
import { CallExitError, NoProcError, Runtime, startServer, type DownMessage, type Pid, type ServerBehaviour } from '@quiesce/runtime';

// A call is rejected with CallExitError by the target's exit itself (the scan of pending calls
// #exitProc does), not by a per-call monitor of its own: the rejection travels target -> caller
// like the reply, after the link signals and DOWNs of that exit. These runs check OTP's rules
// under the random scheduler, and that a recorded run replays to the same outcome and history.

/** Replies to 'ok', crashes on 'crash'; logs each request it handles. */
function behaviour(handled: string[]): ServerBehaviour<null> {
  return {
    init: () => ({ state: null }),
    handleCall: (request: unknown, _from, state) => {
      handled.push(String(request));
      if (request === 'crash') throw new Error('boom');
      return { reply: `re:${String(request)}`, state };
    },
  };
}

/** Three callers, each monitoring the server first; one asks it to crash. Returns what each saw, in order. */
async function run(rt: Runtime): Promise<{ handled: string[]; seen: Record<string, string[]> }> {
  const handled: string[] = [];
  const server = await startServer(rt, behaviour(handled), undefined);
  const seen: Record<string, string[]> = {};
  const callers: Array<[string, string]> = [
    ['a', 'ok'],
    ['b', 'crash'],
    ['c', 'ok'],
  ];
  const pids: Pid[] = [];
  for (const [name, request] of callers) {
    const log: string[] = (seen[name] = []);
    pids.push(
      rt.spawn(async (message, ctx) => {
        if (message === 'go') {
          ctx.monitor(server);
          try {
            log.push(`reply ${String(await ctx.call(server, `${request}`))}`);
          } catch (error) {
            if (error instanceof CallExitError) log.push(`exit ${error.reason instanceof Error ? error.reason.message : String(error.reason)}`);
            else if (error instanceof NoProcError) log.push('noproc');
            else log.push(`other ${String(error)}`);
          }
        } else if ((message as DownMessage).type === 'DOWN') log.push('DOWN');
      }),
    );
  }
  for (const pid of pids) rt.send(pid, 'go');
  await rt.idle();
  return { handled, seen };
}

describe('a call to a server that crashes meanwhile, under the random scheduler', () => {
  test('every call settles by OTP rules, each caller gets its DOWN, and the recorded run replays exactly', async () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const rt = new Runtime({ clock: 'virtual', scheduler: { random: seed } });
      const { handled, seen } = await run(rt);
      const crashedAt = handled.indexOf('crash');
      expect(crashedAt, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      expect(seen.b, `seed ${seed}`).toEqual(['exit boom', 'DOWN']);
      for (const name of ['a', 'c']) {
        // Handled before the crash: the reply was sent before the exit, so the reply wins.
        const answered = handled.slice(0, crashedAt).includes('ok') && seen[name]![0] === 'reply re:ok';
        if (answered) expect(seen[name], `seed ${seed} ${name}`).toEqual(['reply re:ok', 'DOWN']);
        // Not handled: in the mailbox when the server died (exit), or arrived after (noproc).
        else expect(['exit boom', 'noproc'], `seed ${seed} ${name}`).toContain(seen[name]![0]);
        expect(seen[name]![1], `seed ${seed} ${name}`).toBe('DOWN');
      }
      outcomes.add(JSON.stringify(seen));
      const token = rt.scheduler.token();
      const again = new Runtime({ clock: 'virtual', scheduler: { replay: token } });
      const replayed = await run(again);
      expect(replayed, `seed ${seed}`).toEqual({ handled, seen });
      expect(again.scheduler.token(), `seed ${seed}`).toBe(token);
      const strip = (r: Runtime) => r.history.events.map((e) => `${e.seq} ${e.kind} ${e.source} ${JSON.stringify(e.data)}`);
      expect(strip(again), `seed ${seed}`).toEqual(strip(rt));
    }
    // The interleavings differ between seeds: the run is not trivially the same every time.
    expect(outcomes.size).toBeGreaterThan(1);
  });
});
