import { connect } from 'node:net';
import { PoolError } from './errors.js';

/** A request as the workers take it: one JSON object with an `op`. */
export type PoolRequest =
  | { op: 'ping' }
  | { op: 'echo'; payload: unknown }
  | { op: 'compute'; fn: 'sum' | 'product' | 'fib'; args: number[] }
  | { op: 'stream'; chunks: unknown[] }
  | { op: 'hold' }
  | { op: 'crash' }
  | { op: 'set'; session: string; name: string; value: unknown }
  | { op: 'get'; session: string; name: string }
  | { op: 'end_session'; session: string }
  | { op: 'sessions' }
  // Anything else reaches the worker as it is, which answers 400 (what a client's mistake looks like).
  | { op: string; [field: string]: unknown };

/** The last line of an answer. */
export interface FinalMessage {
  ok: boolean;
  result?: unknown;
  worker?: string;
  pid?: number;
  error?: { status: number; code: string; message: string };
  end: true;
}

/** Where a request goes: a worker's id and the port it listens on. */
export interface WorkerTarget {
  readonly id: string;
  readonly port: number;
}

/**
 * Sends one request to one worker; calls `onChunk` for every chunk line, resolves with the final
 * line. The pool's only door to the workers: wrap it to inject failures (see the chaos tests).
 */
export type Transport = (target: WorkerTarget, request: PoolRequest, onChunk: (chunk: unknown) => void) => Promise<FinalMessage>;

/** The default transport: a fresh TCP connection to 127.0.0.1:<port> per request, JSON lines both ways. */
export const tcpTransport: Transport = (target, request, onChunk) =>
  new Promise<FinalMessage>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    const socket = connect({ host: '127.0.0.1', port: target.port }, () => socket.write(`${JSON.stringify(request)}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      buffered += data;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let message: { chunk?: unknown; end?: boolean };
        try {
          message = JSON.parse(line);
        } catch {
          settle(() => reject(new PoolError('WORKER_DISCONNECTED', `worker ${target.id} sent a line that is not JSON: ${line.slice(0, 80)}`)));
          return;
        }
        if (message.end === true) settle(() => resolve(message as FinalMessage));
        else onChunk(message.chunk);
      }
    });
    socket.on('error', (error) => settle(() => reject(error)));
    // Closed before the final line: the worker died or dropped the connection mid-request.
    socket.on('close', () => settle(() => reject(new PoolError('WORKER_DISCONNECTED', `worker ${target.id} closed the connection before answering`))));
  });
