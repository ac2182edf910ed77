import { InvalidOptionError, Pid, QuiesceError, Random, Runtime } from '@quiesce/runtime';

/**
 * What chaos needs from a test's system: @quiesce/harness's TestSystem has all of it. Declared
 * here, structurally, so a plain Node script can use chaos on a bare Runtime without the harness
 * (or Vitest) installed.
 */
export interface ChaosSystem {
  readonly runtime: Runtime;
  /** The test's seeded random: every fault draws from a fork of it. */
  readonly random: Random;
  readonly seed: number;
  /** The test's own process: never a fault's target. */
  readonly self: Pid;
  readonly tornDown: boolean;
  own(resource: { kind: string; label: string; dispose(): void | Promise<void>; alive(): boolean; external?(): boolean }, createdAt?: string): unknown;
  /** Whether the system owns `resource` (an OS process it spawned, a server it listens with). */
  owns(resource: unknown): boolean;
  /** Advance virtual time, letting the system react (and failing if a linked tree crashes). */
  advance(ms: number): Promise<void>;
  replayCommand(): string;
}

/** Where chaos runs: a test's system, or a bare Runtime (a script, production-like code). */
export type ChaosHost = Runtime | ChaosSystem;

/** The host, normalised. */
export interface Host {
  readonly runtime: Runtime;
  readonly random: Random;
  readonly seed: number;
  readonly system: ChaosSystem | undefined;
  advance(ms: number): Promise<void>;
  /** What to print so a failure can be replayed. */
  replay(): string;
}

export function isChaosSystem(value: unknown): value is ChaosSystem {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Record<keyof ChaosSystem, unknown>>;
  return (
    s.runtime instanceof Runtime &&
    s.random instanceof Random &&
    typeof s.seed === 'number' &&
    s.self instanceof Pid &&
    typeof s.own === 'function' &&
    typeof s.owns === 'function' &&
    typeof s.advance === 'function'
  );
}

export function resolveHost(where: string, host: unknown): Host {
  if (host instanceof Runtime) {
    return {
      runtime: host,
      random: host.random,
      seed: host.random.seed,
      system: undefined,
      advance: (ms) => host.advance(ms),
      replay: () => `seed ${host.random.seed}`,
    };
  }
  if (isChaosSystem(host)) {
    if (host.tornDown) {
      throw new QuiesceError('AFTER_TEARDOWN', `${where}: the test's system has been torn down; activity after teardown is rejected`, { operation: where });
    }
    return {
      runtime: host.runtime,
      random: host.random,
      seed: host.seed,
      system: host,
      advance: (ms) => host.advance(ms),
      replay: () => host.replayCommand(),
    };
  }
  throw new InvalidOptionError(where, host, "a test's system (the `system` fixture of @quiesce/harness) or a Runtime");
}
