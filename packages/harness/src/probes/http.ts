import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InvalidOptionError } from '@quiesce/runtime';
import { probeWithBackoff, type ProbeOutcome } from '@quiesce/runtime/internal';
import { parseExternalWait, runExternalWait, type ExternalWaitOptions } from '../waits/external-wait.js';
import type { ProbeReport } from './tcp.js';

/** Options of `awaitHealthy`. */
export interface AwaitHealthyOptions extends ExternalWaitOptions {
  /** The status (or statuses) that count as healthy. Default: any 2xx. */
  expectStatus?: number | readonly number[];
}

/** What a successful health probe loop found. */
export interface HealthReport extends ProbeReport {
  /** The status of the answer that counted as healthy. */
  readonly status: number;
}

/**
 * Wait until `url` answers a GET with the expected status. An endpoint offers no event that says
 * "now healthy", so this asks, and on a refused connection or another status asks again after a
 * bounded, doubling interval (see probeWithBackoff) until `timeout`. Each probe uses a fresh
 * connection (no keep-alive, so no pooled socket outlives the wait). With a `system`, every probe
 * is recorded as `probe.http` { url, attempt, ok, status?, error? } and the wait is driven by the
 * system; a timeout then carries the history's timeline and the last probe's failure.
 */
export function awaitHealthy(url: string | URL, options: AwaitHealthyOptions = {}): Promise<HealthReport> {
  const parsed = parseUrl(url);
  const { timeout, signal, system } = parseExternalWait('awaitHealthy', options, ['expectStatus']);
  const expect = parseExpectStatus(options.expectStatus);
  const href = parsed.href;
  let lastError: Error | undefined;
  return runExternalWait(
    { what: `GET ${href} to answer ${expect.description}`, timeout, signal, system, holdClock: true, lastCause: () => lastError },
    async (stop) => {
      const { value: status, attempts } = await probeWithBackoff<number>(
        async (_attempt, stopProbe) => {
          const answer = await getOnce(parsed, stopProbe);
          if ('error' in answer) return { ok: false, error: answer.error };
          return expect.accepts(answer.status) ? { ok: true, value: answer.status } : { ok: false, error: `status ${answer.status}` };
        },
        stop,
        (attempt, outcome: ProbeOutcome<number>) => {
          if (!outcome.ok) lastError = new Error(outcome.error);
          system?.record('probe.http', href, { url: href, attempt, ok: outcome.ok, ...(outcome.ok ? { status: outcome.value } : { error: outcome.error }) });
        },
      );
      return { status, attempts };
    },
  );
}

function parseUrl(url: unknown): URL {
  let parsed: URL | undefined;
  try {
    parsed = url instanceof URL ? new URL(url.href) : typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new InvalidOptionError('awaitHealthy(url)', url, 'an absolute http: or https: URL (a string or a URL)');
  }
  return parsed;
}

function parseExpectStatus(expectStatus: unknown): { accepts(status: number): boolean; description: string } {
  if (expectStatus === undefined) return { accepts: (s) => s >= 200 && s <= 299, description: 'with a 2xx status' };
  const statuses = typeof expectStatus === 'number' ? [expectStatus] : expectStatus;
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    throw new InvalidOptionError('awaitHealthy options.expectStatus', expectStatus, 'an HTTP status (an integer from 100 to 599) or a non-empty array of them');
  }
  const accepted = [...(statuses as number[])];
  return { accepts: (s) => accepted.includes(s), description: `with status ${accepted.join(' or ')}` };
}

/** One GET on a fresh connection; the body is discarded. */
function getOnce(url: URL, stop: AbortSignal): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const done = (answer: { status: number } | { error: string }): void => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const req = request(url, { method: 'GET', agent: false, headers: { connection: 'close' }, signal: stop }, (res) => {
      res.resume();
      res.once('end', () => done({ status: res.statusCode ?? 0 }));
      res.once('error', (error: Error & { code?: string }) => done({ error: error.code ?? error.message }));
    });
    req.once('error', (error: Error & { code?: string }) => done({ error: stop.aborted ? 'stopped' : (error.code ?? error.message) }));
    req.end();
  });
}
