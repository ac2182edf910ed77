/**
 * `@quiesce/runtime/internal`: small helpers the Quiesce packages share (option checks, number
 * formatting). Not public API: names and signatures change without notice; each export is marked
 * internal where it is defined.
 */

export { MAX_TIMER_MS, checkKnownKeys, checkMilliseconds, checkObject, checkOptions, closestKey, type Checked, type MillisecondsRule } from './options.js';
export { round } from './format.js';
export { jsonReplacer } from '../kernel/history.js';
export { nextMacrotask } from '../kernel/turn.js';
