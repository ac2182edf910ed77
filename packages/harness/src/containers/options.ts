import { InvalidOptionError } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import type { ContainerSpecLike, WaitStrategyLike } from './types.js';

/** Options of `system.container(image | spec, options)`. */
export interface ContainerOptions {
  /** Arguments after the image's entrypoint (`['--port', String(port)]`). With an image name only. */
  command?: readonly string[];
  /** Replaces the image's entrypoint. With an image name only. */
  entrypoint?: readonly string[];
  /** Environment variables of the container. With an image name only. */
  env?: Readonly<Record<string, string>>;
  /**
   * The Docker network mode. Default for an image name: 'host' — the container shares the host's
   * network, so it needs no bridge and serves on 127.0.0.1 at a port the test gives it (from
   * `system.port()`). A spec object keeps its own unless this is set.
   */
  network?: string;
  /** A testcontainers wait strategy (`Wait.forLogMessage(/ready/)`), run by testcontainers during the start. */
  wait?: WaitStrategyLike;
  /**
   * A port on 127.0.0.1 that must accept TCP connections before the container counts as ready:
   * probed with bounded backoff, each probe recorded (`probe.tcp`); probed again after a restart.
   * Also the handle's `port`.
   */
  listening?: number;
  /** Real milliseconds the start may take, wait strategy and listening probe included. Default 60000. */
  startupTimeout?: number;
  /**
   * Real milliseconds a container gets to stop after SIGTERM at teardown before it is killed
   * (the engine counts whole seconds, rounded up). Default 0: removed with SIGKILL at once.
   */
  stopTimeout?: number;
  /** Its name in the history (the events' source is `container:<label>`) and in leak reports. Default: the image. */
  label?: string;
}

export interface ParsedContainer {
  readonly image: string | undefined;
  readonly spec: ContainerSpecLike | undefined;
  readonly command: readonly string[] | undefined;
  readonly entrypoint: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly network: string | undefined;
  readonly wait: WaitStrategyLike | undefined;
  readonly listening: number | undefined;
  readonly startupTimeout: number;
  readonly stopTimeout: number;
  readonly label: string;
}

export const DEFAULT_STARTUP_TIMEOUT = 60_000;
const KEYS = ['command', 'entrypoint', 'env', 'network', 'wait', 'listening', 'startupTimeout', 'stopTimeout', 'label'] as const;
const IMAGE_ONLY = ['command', 'entrypoint', 'env'] as const;

/** Check `system.container(what, options)`'s arguments; throws an InvalidOptionError naming the bad one, before anything starts. */
export function parseContainer(what: unknown, options: unknown = {}): ParsedContainer {
  const where = 'container options';
  checkOptions(where, options, KEYS);
  const o = options as ContainerOptions;
  let image: string | undefined;
  let spec: ContainerSpecLike | undefined;
  if (typeof what === 'string') {
    if (!/^[^\s\0]+$/.test(what) || what.length > 512) {
      throw new InvalidOptionError('container(image)', what, "an image reference without spaces, such as 'quiesce/redis:local'");
    }
    image = what;
  } else if (isSpec(what)) {
    spec = what;
    for (const key of IMAGE_ONLY) {
      const method = `with${key[0]!.toUpperCase()}${key.slice(1)}`;
      const accepted = `undefined with a container object: set it on the object (${method}(...))`;
      if (o[key] !== undefined) throw new InvalidOptionError(`${where}.${key}`, o[key], accepted);
    }
  } else {
    const accepted = "an image name ('quiesce/redis:local') or a testcontainers container not yet started (new GenericContainer(...))";
    throw new InvalidOptionError('container(image)', what, accepted);
  }
  const command = o.command === undefined ? undefined : strings(`${where}.command`, o.command);
  const entrypoint = o.entrypoint === undefined ? undefined : strings(`${where}.entrypoint`, o.entrypoint);
  if (o.env !== undefined) checkEnv(`${where}.env`, o.env);
  if (o.network !== undefined && !(typeof o.network === 'string' && /^[\w.:-]+$/.test(o.network))) {
    throw new InvalidOptionError(`${where}.network`, o.network, "a Docker network mode: 'host', 'bridge', 'none' or a network name");
  }
  const isStrategy = typeof o.wait === 'object' && o.wait !== null && typeof (o.wait as { waitUntilReady?: unknown }).waitUntilReady === 'function';
  if (o.wait !== undefined && !isStrategy) {
    throw new InvalidOptionError(`${where}.wait`, o.wait, 'a testcontainers wait strategy, such as Wait.forLogMessage(/ready/)');
  }
  if (o.listening !== undefined && !(Number.isInteger(o.listening) && o.listening >= 1 && o.listening <= 65_535)) {
    throw new InvalidOptionError(`${where}.listening`, o.listening, 'a TCP port from 1 to 65535 (from system.port())');
  }
  const startupTimeout =
    o.startupTimeout === undefined ? DEFAULT_STARTUP_TIMEOUT : checkMilliseconds(`${where}.startupTimeout`, o.startupTimeout, { positive: true });
  const stopTimeout = o.stopTimeout === undefined ? 0 : checkMilliseconds(`${where}.stopTimeout`, o.stopTimeout);
  if (o.label !== undefined && !(typeof o.label === 'string' && o.label !== '' && o.label.length <= 200)) {
    throw new InvalidOptionError(`${where}.label`, o.label, 'a non-empty string of at most 200 characters');
  }
  return {
    image,
    spec,
    command,
    entrypoint,
    env: o.env,
    network: o.network ?? (image !== undefined ? 'host' : undefined),
    wait: o.wait,
    listening: o.listening,
    startupTimeout,
    stopTimeout,
    label: o.label ?? image ?? 'container',
  };
}

function isSpec(value: unknown): value is ContainerSpecLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['start', 'withLabels', 'withNetworkMode', 'withWaitStrategy', 'withStartupTimeout'].every((m) => typeof v[m] === 'function');
}

function strings(where: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && !s.includes('\0'))) {
    throw new InvalidOptionError(where, value, 'an array of strings (argv, no shell)');
  }
  return [...(value as string[])];
}

function checkEnv(where: string, env: unknown): void {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new InvalidOptionError(where, env, 'an object of string values { NAME: "value" }');
  for (const [name, value] of Object.entries(env)) {
    if (!/^[^=\0]+$/.test(name) || typeof value !== 'string' || value.includes('\0')) {
      throw new InvalidOptionError(`${where}.${name}`, value, 'a string (names without = or NUL)');
    }
  }
}
