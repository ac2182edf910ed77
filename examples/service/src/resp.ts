import { connect, type Socket } from 'node:net';

/** Redis could not be reached or did not answer in time: the caller's request should fail with 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** Redis answered with an error reply (`-ERR ...`). */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

export type Reply = string | number | null | Reply[] | RedisReplyError;

export interface RespClientOptions {
  host?: string;
  port: number;
  /** How long a command (or a batch) may wait for its reply, in ms. Default 1000. */
  commandTimeout?: number;
}

interface Waiting {
  count: number;
  replies: Reply[];
  resolve: (replies: Reply[]) => void;
  reject: (error: Error) => void;
}

/**
 * A tiny Redis client (RESP2) — enough for this service, no dependency. One connection, opened on
 * first use and again after a failure; commands are pipelined and their replies matched in order.
 * A batch is written in one piece, so a MULTI ... EXEC cannot interleave with other commands.
 * On a timeout the connection is dropped: a late reply must never be taken for the next command's.
 */
/**
 * A Redis that restarts answers `-LOADING` until it has read its data back: not ready yet, which
 * the caller must see as unavailable (503, retry), not as a failure of the request (500).
 */
function notReadyAsUnavailable(reply: RedisReplyError): Error {
  return /^LOADING\b/.test(reply.message) ? new StoreUnavailableError(`Redis is loading its data (${reply.message})`) : reply;
}

export class RespClient {
  readonly host: string;
  readonly port: number;
  readonly commandTimeout: number;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #waiting: Waiting[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;

  constructor({ host = '127.0.0.1', port, commandTimeout = 1000 }: RespClientOptions) {
    this.host = host;
    this.port = port;
    this.commandTimeout = commandTimeout;
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  async command(...args: Array<string | number>): Promise<Reply> {
    const [reply] = await this.batch([args]);
    if (reply instanceof RedisReplyError) throw notReadyAsUnavailable(reply);
    return reply as Reply;
  }

  /** Commands run in one transaction: all or none. Resolves with EXEC's replies. */
  async transaction(commands: Array<Array<string | number>>): Promise<Reply[]> {
    const replies = await this.batch([['MULTI'], ...commands, ['EXEC']]);
    const exec = replies.at(-1);
    if (!Array.isArray(exec))
      throw exec instanceof RedisReplyError ? notReadyAsUnavailable(exec) : new RedisReplyError(`EXEC answered ${JSON.stringify(exec)}`);
    return exec;
  }

  /** Send commands in one write; resolves with their replies in order (error replies included). */
  async batch(commands: Array<Array<string | number>>): Promise<Reply[]> {
    if (this.#closed) throw new StoreUnavailableError('the Redis client is closed');
    const socket = await this.#connect();
    return new Promise<Reply[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new StoreUnavailableError(`Redis at ${this.host}:${this.port} did not answer within ${this.commandTimeout} ms`));
      }, this.commandTimeout);
      this.#waiting.push({
        count: commands.length,
        replies: [],
        resolve: (replies) => {
          clearTimeout(timer);
          resolve(replies);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.write(commands.map(encode).join(''));
    });
  }

  close(): void {
    this.#closed = true;
    this.#fail(new StoreUnavailableError('the Redis client is closed'));
  }

  #connect(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.commandTimeout} ms`)), this.commandTimeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.#socket = socket;
        this.#buffer = Buffer.alloc(0);
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => this.#onData(chunk));
      socket.once('error', (error) => {
        clearTimeout(timer);
        const failure = new StoreUnavailableError(`cannot reach Redis at ${this.host}:${this.port}: ${error.message}`);
        if (this.#socket === socket) this.#fail(failure);
        else reject(failure);
      });
      socket.once('close', () => {
        if (this.#socket === socket) this.#fail(new StoreUnavailableError(`the connection to Redis at ${this.host}:${this.port} closed`));
      });
    }).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Drop the connection and fail everything waiting on it. */
  #fail(error: Error): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) w.reject(error);
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(this.#buffer, offset);
      } catch (error) {
        this.#fail(new StoreUnavailableError((error as Error).message));
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      const head = this.#waiting[0];
      if (!head) continue; // a reply nobody waits for any more
      head.replies.push(parsed.value);
      if (head.replies.length === head.count) {
        this.#waiting.shift();
        head.resolve(head.replies);
      }
    }
    this.#buffer = this.#buffer.subarray(offset);
  }
}

function encode(args: Array<string | number>): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const s = String(arg);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

/** One RESP2 value from `buf` at `offset`, or undefined if it has not fully arrived. */
export function parse(buf: Buffer, offset: number): { value: Reply; next: number } | undefined {
  const end = buf.indexOf('\r\n', offset);
  if (end < 0) return undefined;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, end);
  const next = end + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RedisReplyError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.next;
      }
      return { value: items, next: at };
    }
    default:
      throw new RedisReplyError(`unreadable reply from Redis: ${JSON.stringify(buf.toString('utf8', offset, Math.min(end, offset + 40)))}`);
  }
}
