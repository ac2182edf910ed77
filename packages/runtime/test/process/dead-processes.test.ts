// What a runtime keeps of a process once it has died: its exit reason, pid, name and label, not
// its code. A process's code is a closure that may hold a server's or a supervisor's whole state;
// kept for every dead incarnation, a crash-looping child would leak its state at every restart.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { startSupervisor, supervisor, worker, type Pid, type Runtime } from '@quiesce/runtime';
import { vrt } from '../support/helpers.js';

/** A full collection: `gc` from a context made after turning the flag on (Vitest runs without --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** A process whose code holds `state`; a weak reference to that state. */
function spawnHolding(rt: Runtime): { pid: Pid; state: WeakRef<object> } {
  const state = { rows: new Array<number>(1000).fill(1) };
  const pid = rt.spawn((message) => {
    state.rows[0] = Number(message);
  });
  return { pid, state: new WeakRef(state) };
}

describe('a dead process', () => {
  test('lets go of its code and what the code holds; its exit reason and label stay', async () => {
    const rt = vrt();
    const { pid, state } = spawnHolding(rt);
    rt.setLabel(pid, 'holder');
    rt.exit(pid, 'shutdown');
    // Durable idleness crosses a macrotask: the weak reference made in this job may be cleared now.
    await rt.idle();
    collect();
    expect(state.deref()).toBeUndefined();
    expect(rt.isAlive(pid)).toBe(false);
    expect(rt.exitReason(pid)).toBe('shutdown');
    expect(rt.label(pid)).toBe('holder');
  });

  test('a live process keeps its code (the check above can fail)', async () => {
    const rt = vrt();
    const { pid, state } = spawnHolding(rt);
    await rt.idle();
    collect();
    expect(state.deref()).toBeDefined();
    rt.send(pid, 7);
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(true);
  });

  test("a crash-looping child's earlier incarnations hold none of their state", async () => {
    const rt = vrt();
    const states: WeakRef<object>[] = [];
    const spec = supervisor({
      id: 'root',
      strategy: 'one_for_one',
      intensity: 100,
      period: 1,
      children: [
        worker('looper', (ctx) => {
          const state = { rows: new Array<number>(1000).fill(1) };
          states.push(new WeakRef(state));
          // It exits with a reason rather than throwing an Error: a thrown Error (kept as the exit
          // reason) holds the functions on its stack until its stack is first read — V8's rule.
          return ctx.spawn(
            (message, self) => {
              if (message === 'crash') self.exit('crash');
              state.rows[0]!++;
            },
            {
              init: (self) => {
                self.sendAfter(1000, 'crash');
              },
            },
          );
        }),
      ],
    });
    await startSupervisor(rt, spec);
    await rt.advance(10_500);
    collect();
    expect(states.length).toBe(11);
    // Ten incarnations crashed; only the one running now still holds its state.
    expect(states.map((s) => s.deref() !== undefined)).toEqual([...Array<boolean>(10).fill(false), true]);
  });
});
