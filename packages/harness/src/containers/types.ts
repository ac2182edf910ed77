/**
 * The parts of testcontainers that Quiesce uses, declared structurally so the harness's types do
 * not depend on testcontainers (an optional peer: 11 on Node 20, 12 on Node >= 22.22). A
 * `GenericContainer` (or a module's container, such as `RedisContainer`) is a `ContainerSpecLike`;
 * what its `start()` resolves with is a `StartedContainerLike`.
 */

/** A testcontainers wait strategy (`Wait.forLogMessage(...)`, `Wait.forHealthCheck()`, ...), passed through as is. */
export type WaitStrategyLike = object;

/** A started testcontainers container (`StartedTestContainer` or a module's subclass of it). */
export interface StartedContainerLike {
  getId(): string;
  getName(): string;
  getHost(): string;
}

/** A container not started yet: a testcontainers `GenericContainer` or a module's container. */
export interface ContainerSpecLike<S extends StartedContainerLike = StartedContainerLike> {
  start(): Promise<S>;
  withLabels(labels: Record<string, string>): unknown;
  withNetworkMode(mode: string): unknown;
  withWaitStrategy(strategy: WaitStrategyLike): unknown;
  withStartupTimeout(ms: number): unknown;
}

/** What the harness asks of the engine for one container (dockerode's `Container`, as testcontainers hands it over). */
export interface EngineContainer {
  readonly id: string;
  pause(): Promise<unknown>;
  unpause(): Promise<unknown>;
  stop(options?: { t?: number }): Promise<unknown>;
  kill(options?: { signal?: string }): Promise<unknown>;
  restart(options?: { t?: number }): Promise<unknown>;
  start(): Promise<unknown>;
  remove(options?: { force?: boolean; v?: boolean }): Promise<unknown>;
  inspect(): Promise<{ State: { Status: string; Running: boolean; Paused: boolean; ExitCode: number } }>;
}
