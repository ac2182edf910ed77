export { awaitListening, type AwaitListeningOptions, type ProbeReport } from './tcp.js';
export { awaitHealthy, type AwaitHealthyOptions, type HealthReport } from './http.js';
export { probeWithBackoff, PROBE_INITIAL_DELAY, PROBE_MAX_DELAY, type ProbeOutcome, type Probed } from '@quiesce/runtime/internal';
