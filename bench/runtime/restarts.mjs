// Row 2: crash -> restart cycles per second, real clock.
// Quiesce: a one_for_one supervisor (intensity 1e9 in 1 s, so it never gives up) with one
// permanent worker that throws on the message 'crash'. Each `child.restart` event in the history
// (a synchronous subscription, no polling) sends 'crash' to the new pid, so exactly one cycle is
// in flight at a time: crash -> exit -> link signal -> supervisor restart -> history event.
// Peer: the restart loop a user would hand-roll without OTP semantics: an EventEmitter worker
// whose handler throws, an 'exit' listener that constructs a replacement and emits 'restart'.
// No links, no intensity window, no shutdown protocol, no history: the bare mechanism's floor.
import { EventEmitter } from 'node:events';
import { Runtime, startSupervisor, supervisor, worker } from '../../packages/runtime/dist/bundle/index.js';
import { median, now, sideBySide } from '../lib.mjs';

export const id = 'restarts';

function crashOn(message) {
  if (message === 'crash') throw new Error('boom');
}

/**
 * Run `cycles` crash->restart cycles (or stop at `maxMs`). Resolves with cycles per second over
 * the whole run, and over its first and last tenth (the supervisor's restart window fills up as
 * the run goes: every restart stays inside the 1 s period).
 */
function quiesceRun(rt, sup, cycles, maxMs) {
  return new Promise((resolve) => {
    let done = 0;
    const tenth = Math.max(1, Math.floor(cycles / 10));
    const start = now();
    let firstTenthAt = 0;
    let lastTenthFrom = 0;
    const unsubscribe = rt.history.subscribe((event) => {
      if (event.kind !== 'child.restart') return;
      done++;
      const t = now();
      const elapsed = t - start;
      if (done === tenth) firstTenthAt = elapsed;
      if (done === cycles - tenth) lastTenthFrom = elapsed;
      if (done >= cycles || elapsed >= maxMs) {
        unsubscribe();
        resolve({
          perSecond: (done * 1000) / elapsed,
          cycles: done,
          firstTenth: firstTenthAt ? (tenth * 1000) / firstTenthAt : undefined,
          lastTenth: done >= cycles && lastTenthFrom ? (tenth * 1000) / (elapsed - lastTenthFrom) : undefined,
        });
        return;
      }
      rt.send(sup.child('w'), 'crash');
    });
    rt.send(sup.child('w'), 'crash');
  });
}

class PeerWorker extends EventEmitter {
  constructor(handler) {
    super();
    this.handler = handler;
  }
  /** Messages are delivered asynchronously, as to a process. */
  send(message) {
    queueMicrotask(() => {
      try {
        this.handler(message);
      } catch (error) {
        this.emit('exit', error);
      }
    });
  }
}

class PeerSupervisor extends EventEmitter {
  constructor(make) {
    super();
    this.make = make;
    this.restarts = 0;
    this.child = this.#start();
  }
  #start() {
    const child = this.make();
    child.once('exit', () => {
      this.restarts++;
      this.child = this.#start();
      this.emit('restart', this.child);
    });
    return child;
  }
}

function peerRun(sup, cycles, maxMs) {
  return new Promise((resolve) => {
    let done = 0;
    const start = now();
    const onRestart = (child) => {
      done++;
      const elapsed = now() - start;
      if (done >= cycles || elapsed >= maxMs) {
        sup.off('restart', onRestart);
        resolve((done * 1000) / elapsed);
        return;
      }
      child.send('crash');
    };
    sup.on('restart', onRestart);
    sup.child.send('crash');
  });
}

/**
 * One rep of Quiesce's side on a fresh runtime (the history and the dead processes' table grow
 * with every cycle): `n` cycles or `limitMs`. Also used by the OTP row.
 */
export async function quiesceRestarts(n, limitMs) {
  const rt = new Runtime();
  const sup = await startSupervisor(
    rt,
    supervisor({
      strategy: 'one_for_one',
      intensity: 1e9,
      period: 1,
      children: [worker('w', (ctx) => ctx.spawn(crashOn), { shutdown: 'brutal_kill' })],
    }),
  );
  const result = await quiesceRun(rt, sup, n, limitMs);
  await rt.shutdown();
  return result;
}

export async function measure({ reps = 5, cycles = 10_000, maxMs = 2000 } = {}) {
  const details = [];
  const quiesceRep = async (n, limitMs) => {
    const result = await quiesceRestarts(n, limitMs);
    details.push(result);
    return result.perSecond;
  };
  const peerRep = (n, limitMs) => peerRun(new PeerSupervisor(() => new PeerWorker(crashOn)), n, limitMs);
  // Warm-up.
  await quiesceRep(cycles / 4, 500);
  await peerRep(cycles / 4, 500);
  details.length = 0;
  const { medians, samples } = await sideBySide(reps, {
    quiesce: () => quiesceRep(cycles, maxMs),
    peer: () => peerRep(cycles, maxMs),
  });
  return {
    id,
    measurement: 'crash -> restart cycles (one_for_one, intensity 1e9/1 s, real clock)',
    unit: 'restarts/s',
    better: 'higher',
    quiesce: medians.quiesce,
    peer: medians.peer,
    peerName: 'hand-rolled EventEmitter worker + exit listener that re-creates it (no OTP semantics)',
    ratio: medians.quiesce / medians.peer,
    samples,
    cyclesPerRep: cycles,
    detail: {
      // Rates over the first and the last tenth of each rep's cycles: a drop shows the cost of
      // bookkeeping that grows with the number of restarts inside the intensity period.
      firstTenth: median(details.map((d) => d.firstTenth).filter((x) => x !== undefined)),
      lastTenth: median(details.map((d) => d.lastTenth).filter((x) => x !== undefined)),
      repsCut: details.filter((d) => d.cycles < cycles).length,
    },
  };
}
