// Row 3: heap bytes per idle process.
// Quiesce: `rt.spawn(() => {})` 100,000 times in a fresh Runtime; the heap delta after a full GC
// divided by 100,000. Everything the runtime keeps for a process counts: its record, pid, key,
// table entry, and the `process.spawn` event the history keeps (the history is part of the runtime).
// Peer: the idle actor a user would otherwise write: an EventEmitter subclass with an id, a
// mailbox array and a busy flag, its handler registered as a 'message' listener, kept in a Map
// by id so it can be addressed. Both sides allocate one fresh handler closure per process.
import { EventEmitter } from 'node:events';
import { History, Runtime } from '../../packages/runtime/dist/bundle/index.js';
import { fullGc, sideBySide } from '../lib.mjs';

export const id = 'memory';

const COUNT = 100_000;

class PeerActor extends EventEmitter {
  constructor(id, handler) {
    super();
    this.id = id;
    this.mailbox = [];
    this.busy = false;
    this.on('message', handler);
  }
}

/** Heap bytes retained per item by `build(count)`; the result is kept alive until measured. */
function bytesPer(build, count) {
  fullGc();
  const before = process.memoryUsage().heapUsed;
  let kept = build(count);
  fullGc();
  const after = process.memoryUsage().heapUsed;
  const perItem = (after - before) / count;
  if (kept === undefined) throw new Error('nothing kept');
  kept = undefined;
  return perItem;
}

function quiesceBuild(count) {
  const rt = new Runtime();
  for (let i = 0; i < count; i++) rt.spawn(() => {});
  if (rt.processes().length !== count) throw new Error('not every process is alive');
  return rt;
}

function peerBuild(count) {
  const actors = new Map();
  for (let i = 1; i <= count; i++) actors.set(i, new PeerActor(i, () => {}));
  return actors;
}

/** The history's share: one `process.spawn` event per process, with its pid key string. */
function historyBuild(count) {
  const history = new History(() => 0);
  for (let i = 1; i <= count; i++) {
    const key = `<1.${i}>`;
    history.append('process.spawn', key, { pid: key });
  }
  return history;
}

export async function measure({ reps = 3, count = COUNT } = {}) {
  // Warm-up: optimise both builders and grow the heap once, so reps measure steady state.
  bytesPer(quiesceBuild, count / 10);
  bytesPer(peerBuild, count / 10);
  const { medians, samples } = await sideBySide(reps, {
    quiesce: () => bytesPer(quiesceBuild, count),
    peer: () => bytesPer(peerBuild, count),
  });
  const historyShare = bytesPer(historyBuild, count);
  return {
    id,
    measurement: `heap per idle process (${count.toLocaleString('en-US')} spawned, after full GC)`,
    unit: 'bytes/process',
    better: 'lower',
    quiesce: medians.quiesce,
    peer: medians.peer,
    peerName: "EventEmitter actor { id, mailbox: [], busy } + 'message' listener, in a Map by id",
    ratio: medians.quiesce / medians.peer,
    target: 2048,
    detail: { historyEventBytes: historyShare },
    samples,
  };
}
