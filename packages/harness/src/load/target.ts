import { Agent, request as httpRequest } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { InvalidOptionError } from '@quiesce/runtime';
import { LOOPBACK_HOSTS } from '../ports/options.js';
import type { ResolvedLoadOptions } from './options.js';

/** What one request of a function target is given: its index and a signal that aborts it. */
export interface LoadRequest {
  index: number;
  signal: AbortSignal;
}

/** A function target: one request per call; a rejection (or throw) counts as an error. */
export type LoadFunction = (request: LoadRequest) => unknown;

/**
 * What `load()` sends requests to: an async function, an in-process `net.Server` / `http.Server`
 * listening on a loopback address (or a server from `listenOnFreePort`), or an `http://` URL on
 * 127.0.0.1 or [::1].
 */
export type LoadTarget = LoadFunction | string | URL | NetServer | { readonly port: number; readonly host: string };

/** A resolved target: a request function, the name the report shows, and what to release after. */
export interface ResolvedTarget {
  describe: string;
  send: LoadFunction;
  close(): void;
}

const HTTP_OPTIONS = ['method', 'path', 'headers', 'body'] as const;

export function resolveTarget(target: unknown, options: ResolvedLoadOptions, given: Record<string, unknown>): ResolvedTarget {
  if (typeof target === 'function') {
    const http = HTTP_OPTIONS.find((key) => given[key] !== undefined);
    if (http) throw new InvalidOptionError(`load options.${http}`, given[http], 'nothing: HTTP options apply to URL and server targets, not to a function');
    const fn = target as LoadFunction;
    return { describe: fn.name ? `function ${fn.name}` : 'a function', send: fn, close: () => undefined };
  }
  const url = targetUrl(target, options.http.path);
  return httpTarget(url, options);
}

function targetUrl(target: unknown, path: string | undefined): URL {
  if (typeof target === 'string' || target instanceof URL) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new InvalidOptionError('load(target)', target, 'an http:// URL on 127.0.0.1 or [::1], a listening server, or an async function');
    }
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.includes(url.hostname.replace(/^\[|\]$/g, '') as never)) {
      throw new InvalidOptionError('load(target)', String(target), 'an http:// URL on 127.0.0.1 or [::1] (a load never leaves this machine)');
    }
    if (path !== undefined) throw new InvalidOptionError('load options.path', path, 'nothing with a URL target (the URL carries its path)');
    return url;
  }
  const address = serverAddress(target);
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return new URL(`http://${host}:${address.port}${path ?? '/'}`);
}

function serverAddress(target: unknown): { host: string; port: number } {
  if (target instanceof NetServer) {
    const address = target.address() as AddressInfo | string | null;
    if (!target.listening || address === null || typeof address === 'string') {
      throw new InvalidOptionError('load(target)', 'a server that is not listening on a TCP port', 'a server listening on 127.0.0.1 or ::1');
    }
    if (!LOOPBACK_HOSTS.includes(address.address as never)) {
      throw new InvalidOptionError('load(target)', `a server listening on ${address.address}`, 'a server listening on 127.0.0.1 or ::1');
    }
    return { host: address.address, port: address.port };
  }
  const t = target as { port?: unknown; host?: unknown } | null;
  if (typeof t === 'object' && t !== null && Number.isInteger(t.port) && typeof t.host === 'string' && LOOPBACK_HOSTS.includes(t.host as never)) {
    return { host: t.host, port: t.port as number };
  }
  throw new InvalidOptionError(
    'load(target)',
    target,
    'an async function, an http:// URL on 127.0.0.1, or a server listening on 127.0.0.1 (net.Server, http.Server, listenOnFreePort)',
  );
}

/** Requests over one keep-alive agent with a socket per concurrent request; a status >= 400 is an error. */
function httpTarget(url: URL, options: ResolvedLoadOptions): ResolvedTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const { method, headers, body } = options.http;
  const send: LoadFunction = ({ signal }) =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent, signal }, (res) => {
        res.on('error', reject);
        // Drain the body: the latency is the whole response, and the socket goes back to the pool.
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new Error(`HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
          else resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { describe: `${method} ${url.href}`, send, close: () => agent.destroy() };
}
