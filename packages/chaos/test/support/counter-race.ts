// A planted race for the explorer's tests and bench: two clients each increment a counter server
// with a read-modify-write across two messages (get, then set to the value + 1). Client B first
// makes `hops` round trips through a relay, so in the default order (and in most orders) A's
// get and set are done before B reads; only an interleaving where B's read lands between A's read
// and A's write loses an update. `fixed` makes the counter lock between a get and its set.
import type { Pid, Runtime } from '@quiesce/runtime';

type CounterMessage = { get: Pid } | { set: number };
type ClientMessage = 'go' | { hop: number } | { value: number };

export interface CounterRaceOptions {
  /** Round trips client B makes through a relay before it reads. */
  hops: number;
  /** The counter grants one get at a time until its set: no update is lost. */
  fixed?: boolean;
  /** Told, at the end of each run, what the counter handled, in order (`get:client-a`, `set:1`). */
  log?: (handled: string[]) => void;
}

export function counterRace({ hops, fixed = false, log }: CounterRaceOptions) {
  return async (rt: Runtime): Promise<true | string> => {
    let value = 0;
    let holder: Pid | undefined;
    const handled: string[] = [];
    const queued: Pid[] = [];
    const counter = rt.spawn(
      (message, ctx) => {
        const m = message as CounterMessage;
        handled.push('get' in m ? `get:${rt.label(m.get)}` : `set:${m.set}`);
        if ('get' in m) {
          if (fixed && holder !== undefined) return void queued.push(m.get);
          if (fixed) holder = m.get;
          ctx.send(m.get, { value });
          return;
        }
        value = m.set;
        if (!fixed) return;
        holder = queued.shift();
        if (holder !== undefined) ctx.send(holder, { value });
      },
      { name: 'counter' },
    );
    const relay = rt.spawn(
      (message, ctx) => {
        const m = message as { hop: number; from: Pid };
        ctx.send(m.from, { hop: m.hop });
      },
      { name: 'relay' },
    );
    const client = (name: string, trips: number): Pid =>
      rt.spawn(
        (message, ctx) => {
          const m = message as ClientMessage;
          if (m === 'go' || 'hop' in m) {
            const left = m === 'go' ? trips : m.hop - 1;
            if (left > 0) ctx.send(relay, { hop: left, from: ctx.self });
            else ctx.send(counter, { get: ctx.self });
            return;
          }
          ctx.send(counter, { set: m.value + 1 });
        },
        { name },
      );
    rt.send(client('client-a', 0), 'go');
    rt.send(client('client-b', hops), 'go');
    await rt.idle();
    log?.(handled);
    return value === 2 || `lost update: the counter is ${value} after two increments`;
  };
}
