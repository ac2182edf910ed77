// Row 1: call round-trips per second on a real clock.
// Quiesce: `await rt.call(server, n)` to a Server whose handleCall replies, one call at a time.
// Peer: the request/reply a user would otherwise hand-roll in one thread: a Promise per call,
// correlated by ref over an EventEmitter, a mailbox handled one message at a time, and the same
// per-call timeout rt.call has by default (5 s: a setTimeout armed and cleared per call).
// A second row runs both sides without a timeout (rt.call(..., 'infinity') vs no setTimeout),
// which separates the cost of the message path from the cost of the per-call timer.
// Not matched by the peer in either row: rt.call also watches the server, so a call to a server
// that dies rejects at once with CallExitError instead of waiting for its timeout.
import { EventEmitter } from 'node:events';
import { Runtime, startServer } from '../../packages/runtime/dist/bundle/index.js';
import { rate, sideBySide } from '../lib.mjs';

export const id = 'calls';

const BATCH = 1000;

/** Quiesce's side: a batch of BATCH sequential calls to an echo Server (also used by the OTP row). */
export async function quiesceSide(timeout) {
  const rt = new Runtime(); // real clock, FIFO scheduler
  const server = await startServer(
    rt,
    {
      init: () => ({ state: 0 }),
      handleCall: (request, _from, state) => ({ reply: request, state: state + 1 }),
    },
    undefined,
  );
  const batch = async () => {
    for (let i = 0; i < BATCH; i++) await rt.call(server, i, timeout);
  };
  return { batch, close: () => rt.shutdown() };
}

/** The hand-rolled peer: a server object with a mailbox, and a client that correlates replies by ref. */
class EmitterServer extends EventEmitter {
  #queue = [];
  #busy = false;
  #state = 0;
  constructor() {
    super();
    this.on('request', (message) => {
      this.#queue.push(message);
      if (!this.#busy) void this.#drain();
    });
  }
  async handleCall(request, state) {
    return { reply: request, state: state + 1 };
  }
  async #drain() {
    this.#busy = true;
    while (this.#queue.length > 0) {
      const { ref, request } = this.#queue.shift();
      const result = await this.handleCall(request, this.#state);
      this.#state = result.state;
      this.emit('reply', ref, result.reply);
    }
    this.#busy = false;
  }
}

class EmitterClient {
  #pending = new Map();
  #nextRef = 1;
  #server;
  constructor(server) {
    this.#server = server;
    server.on('reply', (ref, value) => {
      const pending = this.#pending.get(ref);
      if (!pending) return;
      this.#pending.delete(ref);
      clearTimeout(pending.timer);
      pending.resolve(value);
    });
  }
  call(request, timeoutMs = Infinity) {
    return new Promise((resolve, reject) => {
      const ref = this.#nextRef++;
      const timer =
        timeoutMs === Infinity
          ? undefined
          : setTimeout(() => {
              this.#pending.delete(ref);
              reject(new Error(`call timed out after ${timeoutMs} ms`));
            }, timeoutMs);
      this.#pending.set(ref, { resolve, timer });
      this.#server.emit('request', { ref, request });
    });
  }
}

async function peerSide(timeout) {
  const client = new EmitterClient(new EmitterServer());
  const peerTimeout = timeout === 'infinity' ? Infinity : timeout;
  const batch = async () => {
    for (let i = 0; i < BATCH; i++) await client.call(i, peerTimeout);
  };
  return { batch, close: async () => {} };
}

async function compare(timeout, { reps, repMs }) {
  const quiesce = await quiesceSide(timeout);
  const peer = await peerSide(timeout);
  // Warm-up: let both paths get optimised before anything is counted.
  await rate(quiesce.batch, { batchSize: BATCH, minMs: 150 });
  await rate(peer.batch, { batchSize: BATCH, minMs: 150 });
  const result = await sideBySide(reps, {
    quiesce: () => rate(quiesce.batch, { batchSize: BATCH, minMs: repMs }),
    peer: () => rate(peer.batch, { batchSize: BATCH, minMs: repMs }),
  });
  await quiesce.close();
  await peer.close();
  return result;
}

/** Two rows: with the default 5 s call timeout, and without any timeout. */
export async function measure({ reps = 5, repMs = 250 } = {}) {
  const rows = [];
  for (const timeout of [5000, 'infinity']) {
    const { medians, samples } = await compare(timeout, { reps, repMs });
    const timed = timeout !== 'infinity';
    rows.push({
      id: timed ? id : `${id}-no-timeout`,
      measurement: timed ? 'call round-trips (real clock, FIFO, 5 s call timeout)' : "call round-trips, no timeout (rt.call(..., 'infinity'))",
      unit: 'calls/s',
      better: 'higher',
      quiesce: medians.quiesce,
      peer: medians.peer,
      peerName: timed
        ? 'hand-rolled Promise + EventEmitter request/reply (mailbox, ref, setTimeout per call)'
        : 'the same hand-rolled request/reply without the setTimeout',
      ratio: medians.quiesce / medians.peer,
      samples,
    });
  }
  return rows;
}
