import { connect } from 'node:net';
import { InvalidOptionError } from '@quiesce/runtime';
import { probeWithBackoff, type ProbeOutcome } from '@quiesce/runtime/internal';
import { parseExternalWait, runExternalWait, type ExternalWaitOptions } from '../waits/external-wait.js';

/** Options of `awaitListening`. */
export interface AwaitListeningOptions extends ExternalWaitOptions {
  /** Default '127.0.0.1'. */
  host?: string;
}

/** What a successful probe loop found. */
export interface ProbeReport {
  /** How many probes it took (1 when the first one succeeded). */
  readonly attempts: number;
}

/**
 * Wait until something accepts TCP connections on `host:port`. A port offers no event that says
 * "now listening", so this connects, and on failure tries again after a bounded, doubling
 * interval (see probeWithBackoff) until `timeout`. With a `system`, every probe is recorded as
 * `probe.tcp` { host, port, attempt, ok, error? } and the wait is driven by the system (virtual
 * time stands still meanwhile); a timeout then carries the history's timeline and the last probe
 * error as its cause.
 */
export function awaitListening(port: number, options: AwaitListeningOptions = {}): Promise<ProbeReport> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new InvalidOptionError('awaitListening(port)', port, 'an integer port from 1 to 65535');
  const { timeout, signal, system } = parseExternalWait('awaitListening', options, ['host']);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '' || host.includes('\0'))
    throw new InvalidOptionError('awaitListening options.host', host, "a host name or address, such as '127.0.0.1' or '::1'");
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let lastError: Error | undefined;
  return runExternalWait(
    { what: `${target} to accept TCP connections`, timeout, signal, system, holdClock: true, lastCause: () => lastError },
    async (stop) => {
      const { attempts } = await probeWithBackoff<true>(
        (_attempt, stopProbe) => connectOnce(host, port, stopProbe),
        stop,
        (attempt, outcome) => {
          if (!outcome.ok) lastError = new Error(outcome.error);
          system?.record('probe.tcp', target, { host, port, attempt, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.error }) });
        },
      );
      return { attempts };
    },
  );
}

/** One connection attempt, closed as soon as it is established. */
function connectOnce(host: string, port: number, stop: AbortSignal): Promise<ProbeOutcome<true>> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome<true>): void => {
      stop.removeEventListener('abort', onStop);
      socket.destroy();
      resolve(outcome);
    };
    const onStop = (): void => done({ ok: false, error: 'stopped' });
    socket.once('connect', () => done({ ok: true, value: true }));
    socket.once('error', (error: Error & { code?: string }) => done({ ok: false, error: error.code ?? error.message }));
    stop.addEventListener('abort', onStop, { once: true });
  });
}
