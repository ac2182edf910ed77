// Bounded backoff probing lives in the runtime's kernel; the harness's probes use the same one.
export { probeWithBackoff, PROBE_INITIAL_DELAY, PROBE_MAX_DELAY, type ProbeOutcome, type Probed } from '@quiesce/runtime';
