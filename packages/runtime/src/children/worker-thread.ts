import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError, QuiesceError, formatValue } from '../errors.js';
import { serialiseReason } from '../process/exit-reason.js';
import { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';
import type { ChildSpec } from '../supervisor/spec.js';
import { checkReadyTimeout, type ChildFields, type ProxySpawnOptions } from './options.js';
import { startProxy, type ExternalHandle, type ProxyEvents } from './proxy.js';
import { proxiedChildSpec, spawnProxied, type ProxiedChildKind } from './spec-builders.js';

/**
 * A `node:worker_threads` Worker as a runtime child, represented by a proxy process (the Pid you
 * get), with the same shape as osProcess:
 *
 * - Start: the worker runs `filename` (a path, resolved against the current directory, or a
 *   `file:` URL) or `url` (a `file:` or `data:` URL) with `workerData`. The start resolves when a
 *   message from the worker satisfies `ready` (that message is consumed), or when the worker is
 *   online if there is no `ready`. It fails with SPAWN_FAILED when the file does not exist or the
 *   worker exits before it is ready, and with READY_TIMEOUT after `readyTimeout` kernel
 *   milliseconds (the worker is terminated first).
 * - Messages: every other message from the worker is sent to `forwardTo` (as is, from the proxy's
 *   pid); messages sent to the proxy are posted to the worker (they must be structured-cloneable;
 *   one that is not crashes the proxy, which terminates the worker).
 * - Exit: exit code 0 → `'normal'`, code n → `{ exit_code: n }` (an uncaught exception is code 1;
 *   its message is in the `thread.exit` event).
 * - Stop: the exit signal `shutdown` posts `{ type: 'shutdown' }` to the worker, which should
 *   finish and exit (process.exit(), or close parentPort and let its event loop drain); the proxy
 *   exits with `shutdown` once it has. `kill` kills the proxy at once and terminates the worker
 *   (worker.terminate()); any other abnormal exit signal does the same.
 * - History (source: the label; default `thread:<file's basename>`): `thread.spawn` { file,
 *   threadId } when the worker is online, `thread.ready` { threadId, message }, `thread.exit`
 *   { threadId, code, error? }.
 */
export interface WorkerThreadOptions {
  /**
   * The worker's script: a path (relative paths resolve against the current directory) or a
   * `file:` URL (`new URL('./worker.js', import.meta.url)`). Give this or `url`.
   */
  filename?: string | URL;
  /** The worker's script as a `file:` or `data:` URL. Give this or `filename`. */
  url?: URL | string;
  /** Cloned into the worker as `workerData`. */
  workerData?: unknown;
  /** The start completes when a message from the worker satisfies this. Default: when it is online. */
  ready?: (message: unknown) => boolean;
  /** Kernel milliseconds to wait for `ready` before failing the start. Default: no limit. */
  readyTimeout?: number;
  /** Send every message from the worker (except the ready one) to this process. */
  forwardTo?: Pid;
  /**
   * The worker's heap limits (Node's `ResourceLimits`, in MB): a worker that outgrows them exits
   * with ERR_WORKER_OUT_OF_MEMORY (code 1), its error in the `thread.exit` event. Default: Node's.
   */
  resourceLimits?: WorkerResourceLimits;
}

/** The heap limits a worker thread may be given (a subset of Node's `ResourceLimits`, in MB). */
export interface WorkerResourceLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

/** workerThread options: the worker's, plus the child-spec fields a supervisor uses. */
export interface WorkerThreadChildOptions extends WorkerThreadOptions, ChildFields {}

/** The message a worker receives when it is asked to stop gracefully. */
export const WORKER_SHUTDOWN_MESSAGE = Object.freeze({ type: 'shutdown' as const });

interface NormalisedWorkerOptions {
  /** What the Worker constructor gets: an absolute path or a URL. */
  readonly target: string | URL;
  /** The file to check for before starting, when the script is a file. */
  readonly file: string | undefined;
  readonly display: string;
  readonly workerData: unknown;
  readonly ready: ((message: unknown) => boolean) | undefined;
  readonly readyTimeout: number | undefined;
  readonly forwardTo: Pid | undefined;
  readonly resourceLimits: WorkerResourceLimits | undefined;
}

const WORKER_KEYS = ['filename', 'url', 'workerData', 'ready', 'readyTimeout', 'forwardTo', 'resourceLimits'] as const;
const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

const WORKER_THREAD: ProxiedChildKind<WorkerThreadOptions, NormalisedWorkerOptions> = {
  specName: 'workerThread',
  spawnName: 'spawnWorkerThread',
  keys: WORKER_KEYS,
  normalise: (where, options) => normaliseWorkerOptions(where, options as unknown as Record<string, unknown>),
  launch: (runtime, worker, link, label) => launchWorkerThread(runtime, worker, link, label),
};

/** A child spec for a supervisor whose child is a worker thread (see WorkerThreadOptions). */
export function workerThread(id: string, options: WorkerThreadChildOptions): ChildSpec {
  return proxiedChildSpec(WORKER_THREAD, id, options);
}

/**
 * Start a worker thread represented by a new runtime process; resolves with that proxy's pid once
 * it is ready. Bad options throw at once; a failed start rejects with a QuiesceError.
 */
export function spawnWorkerThread(runtime: Runtime, options: WorkerThreadOptions, spawnOptions: ProxySpawnOptions = {}): Promise<Pid> {
  return spawnProxied(WORKER_THREAD, runtime, options, spawnOptions);
}

function launchWorkerThread(runtime: Runtime, worker: NormalisedWorkerOptions, link: Pid | undefined, label: string | undefined): Promise<Pid> {
  const name = label ?? `thread:${worker.file ? basename(worker.file) : 'data'}`;
  return startProxy(runtime, {
    label: name,
    ...(link ? { link } : {}),
    ...(worker.readyTimeout !== undefined ? { readyTimeout: worker.readyTimeout } : {}),
    what: `worker thread ${worker.display}`,
    launch: (events, self) => launchThread(runtime, worker, name, events, self),
  });
}

function launchThread(runtime: Runtime, options: NormalisedWorkerOptions, label: string, events: ProxyEvents, self: Pid): ExternalHandle {
  // A missing script would only show as a crash after 'online'; report it as the start failure it is.
  if (options.file !== undefined && !isFile(options.file)) {
    throw new QuiesceError('SPAWN_FAILED', `worker thread ${options.display} could not be started: no such file ${options.file}`, {
      file: options.file,
      errno: 'ENOENT',
    });
  }
  const worker = new Worker(options.target, {
    workerData: options.workerData,
    ...(options.resourceLimits !== undefined ? { resourceLimits: options.resourceLimits } : {}),
  });
  const { threadId } = worker;
  // A live thread is external work: waits wait for it and a virtual clock flows with real time.
  const release = runtime.holdExternal(`worker thread ${options.display} (thread ${threadId})`);
  let exited = false;
  let error: unknown;

  worker.on('online', () => {
    runtime.record('thread.spawn', label, { file: options.display, threadId });
    if (options.ready === undefined) events.ready();
  });
  worker.on('message', (message: unknown) => {
    const ready = options.ready;
    if (ready && events.tryReady(() => ready(message))) {
      runtime.record('thread.ready', label, { threadId, message: serialiseReason(message) });
      return;
    }
    if (options.forwardTo) runtime.send(options.forwardTo, message, self);
  });
  // An uncaught exception in the worker; 'exit' (code 1) follows.
  worker.on('error', (e) => {
    error ??= e;
  });
  worker.on('exit', (code) => {
    exited = true;
    release();
    const said = error === undefined ? undefined : formatValue(error);
    runtime.record('thread.exit', label, { threadId, code, ...(said !== undefined ? { error: said } : {}) });
    events.gone(code === 0 ? 'normal' : { exit_code: code }, undefined, said);
  });

  return {
    stop: () => {
      if (!exited) worker.postMessage(WORKER_SHUTDOWN_MESSAGE);
    },
    kill: () => {
      if (!exited) void worker.terminate();
    },
    deliver: (message) => {
      if (!exited) worker.postMessage(message);
    },
  };
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function normaliseWorkerOptions(where: string, options: Record<string, unknown>): NormalisedWorkerOptions {
  const { filename, url, workerData, ready, readyTimeout, forwardTo, resourceLimits } = options as Partial<WorkerThreadOptions>;
  if ((filename === undefined) === (url === undefined)) {
    throw new InvalidOptionError(`${where}.filename/url`, { filename, url }, 'exactly one of filename (a path) or url (a file: or data: URL)');
  }
  let target: string | URL;
  let file: string | undefined;
  if (filename !== undefined) {
    target = file = filePath(`${where}.filename`, filename);
  } else {
    target = toUrl(`${where}.url`, url);
    if (target.protocol === 'file:') file = fileURLToPath(target);
  }
  if (ready !== undefined && typeof ready !== 'function') throw new InvalidOptionError(`${where}.ready`, ready, 'a function (message) => boolean');
  if (forwardTo !== undefined && !(forwardTo instanceof Pid)) throw new InvalidOptionError(`${where}.forwardTo`, forwardTo, 'a Pid');
  return {
    target,
    file,
    display: file ?? 'data: URL',
    workerData,
    ready,
    readyTimeout: checkReadyTimeout(where, readyTimeout, ready !== undefined),
    forwardTo,
    resourceLimits: checkResourceLimits(`${where}.resourceLimits`, resourceLimits),
  };
}

function checkResourceLimits(option: string, value: unknown): WorkerResourceLimits | undefined {
  if (value === undefined) return undefined;
  const accepted = `an object with some of ${LIMIT_KEYS.join(', ')} (positive numbers of MB)`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError(option, value, accepted);
  for (const [key, mb] of Object.entries(value)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) throw new InvalidOptionError(`${option}.${key}`, mb, `no such limit (${accepted})`);
    if (mb !== undefined && !(typeof mb === 'number' && Number.isFinite(mb) && mb > 0))
      throw new InvalidOptionError(`${option}.${key}`, mb, 'a positive number of MB');
  }
  return { ...(value as WorkerResourceLimits) };
}

/** A path, or a file: URL as Node's own Worker accepts (`new URL('./w.js', import.meta.url)`); absolute either way. */
function filePath(option: string, value: unknown): string {
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw new InvalidOptionError(option, value.href, 'a path or a file: URL (for a data: URL use the url option)');
    return fileURLToPath(value);
  }
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError(option, value, 'a non-empty string (a path) or a file: URL');
  return resolve(value);
}

function toUrl(option: string, value: unknown): URL {
  let url: URL | undefined;
  if (value instanceof URL) url = value;
  else if (typeof value === 'string' && URL.canParse(value)) url = new URL(value);
  if (url?.protocol !== 'file:' && url?.protocol !== 'data:')
    throw new InvalidOptionError(option, value instanceof URL ? value.href : value, 'a file: or data: URL (a URL or a string)');
  return url;
}
