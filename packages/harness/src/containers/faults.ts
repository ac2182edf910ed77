import { InvalidOptionError } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import type { WaitOptions } from '../waits/driver.js';
import { ContainerHandle } from './container.js';

/**
 * Container faults through the engine's API, as plain functions over a ContainerHandle: what a
 * fault injector wraps. Each records its fault in the container's test history when asked (so
 * its effects follow it there), resolves once the engine has done it, and is driven by the test's
 * system, so a test abort interrupts it; a refused call rejects with CONTAINER_FAILED.
 *
 * | function            | engine call               | recorded                       | then                                  |
 * |---------------------|---------------------------|--------------------------------|---------------------------------------|
 * | pauseContainer      | pause (cgroup freezer)    | container.paused               | frozen: connections open, no answers  |
 * | unpauseContainer    | unpause                   | container.unpaused             | answers what was sent meanwhile       |
 * | stopContainer       | stop (SIGTERM, then KILL) | container.stopped              | exited; `container.exited` follows    |
 * | killContainer       | kill (SIGKILL by default) | container.killed { signal }    | exited; `container.exited` follows    |
 * | restartContainer    | restart                   | container.restarted            | ready again (its `listening` probe)   |
 * | startContainer      | start (a stopped one)     | container.started              | ready again (its `listening` probe)   |
 */

/** Options of stopContainer and restartContainer. */
export interface ContainerStopOptions extends WaitOptions {
  /** Real ms between SIGTERM and SIGKILL (the engine counts whole seconds, rounded up). Default 10000, the engine's own. */
  grace?: number;
}

/** Options of killContainer: `signal` is the signal to send (like `docker kill --signal`), not an AbortSignal. */
export interface ContainerKillOptions extends Omit<WaitOptions, 'signal'> {
  /** The signal, by name. Default 'SIGKILL'. */
  signal?: string;
}

const WAIT_KEYS = ['timeout', 'signal', 'realTimeout'];

function handleOf(operation: string, container: unknown): ContainerHandle {
  if (!(container instanceof ContainerHandle)) {
    throw new InvalidOptionError(`${operation}(container)`, container, 'a container from system.container() or sharedContainer().use()');
  }
  return container;
}

function waitOptions(operation: string, options: unknown, extra: string[] = []): WaitOptions & Record<string, unknown> {
  checkOptions(`${operation} options`, options, [...WAIT_KEYS, ...extra]);
  return options as WaitOptions & Record<string, unknown>;
}

function graceSeconds(operation: string, grace: unknown): number | undefined {
  if (grace === undefined) return undefined;
  return Math.ceil(checkMilliseconds(`${operation} options.grace`, grace) / 1000);
}

/** Freeze every process of the container (the cgroup freezer): it keeps its connections and answers nothing until unpaused. */
export async function pauseContainer(container: ContainerHandle, options: WaitOptions = {}): Promise<void> {
  const handle = handleOf('pauseContainer', container);
  await handle.operate('pause', 'container.paused', {}, (c) => c.pause(), waitOptions('pauseContainer', options));
}

/** Thaw a paused container: it answers what was sent meanwhile. */
export async function unpauseContainer(container: ContainerHandle, options: WaitOptions = {}): Promise<void> {
  const handle = handleOf('unpauseContainer', container);
  await handle.operate('unpause', 'container.unpaused', {}, (c) => c.unpause(), waitOptions('unpauseContainer', options));
}

/** Stop it: SIGTERM, then SIGKILL after `grace`. Resolves once it has exited. */
export async function stopContainer(container: ContainerHandle, options: ContainerStopOptions = {}): Promise<void> {
  const handle = handleOf('stopContainer', container);
  const { grace, ...wait } = waitOptions('stopContainer', options, ['grace']);
  const t = graceSeconds('stopContainer', grace);
  await handle.operate('stop', 'container.stopped', t === undefined ? {} : { graceSeconds: t }, (c) => c.stop(t === undefined ? {} : { t }), wait);
  handle.markStopped();
}

/**
 * Send it a signal (SIGKILL by default). Resolves once the engine delivered it; its exit, if the
 * signal ends it, is recorded as `container.exited` when the engine reports it
 * (`await system.until('container.exited')`).
 */
export async function killContainer(container: ContainerHandle, options: ContainerKillOptions = {}): Promise<void> {
  const handle = handleOf('killContainer', container);
  checkOptions('killContainer options', options, ['timeout', 'realTimeout', 'signal']);
  const { signal = 'SIGKILL', ...wait } = options;
  if (typeof signal !== 'string' || !/^(SIG)?[A-Z0-9+-]+$/.test(signal)) {
    throw new InvalidOptionError('killContainer options.signal', signal, "a signal name such as 'SIGKILL' or 'SIGTERM'");
  }
  await handle.operate('kill', 'container.killed', { signal }, (c) => c.kill({ signal }), wait);
}

/** Restart it (stop with `grace`, then start), then wait until it is ready again (its `listening` port accepts connections). */
export async function restartContainer(container: ContainerHandle, options: ContainerStopOptions = {}): Promise<void> {
  const handle = handleOf('restartContainer', container);
  const { grace, ...wait } = waitOptions('restartContainer', options, ['grace']);
  const t = graceSeconds('restartContainer', grace);
  handle.markRunning();
  await handle.operate('restart', 'container.restarted', t === undefined ? {} : { graceSeconds: t }, (c) => c.restart(t === undefined ? {} : { t }), wait);
  await handle.ready(wait);
}

/** Start a stopped (or killed) container again, then wait until it is ready. */
export async function startContainer(container: ContainerHandle, options: WaitOptions = {}): Promise<void> {
  const handle = handleOf('startContainer', container);
  const wait = waitOptions('startContainer', options);
  handle.markRunning();
  await handle.operate('start', 'container.started', {}, (c) => c.start(), wait);
  await handle.ready(wait);
}
