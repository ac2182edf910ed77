import { existsSync } from 'node:fs';
import { QuiesceError } from '@quiesce/runtime';
import { withinReal } from '@quiesce/runtime/internal';
import { guide } from '../core/docs.js';
import { nowhereToLook } from './nowhere.js';
import { installHint, loadTestcontainers, type RuntimeClient, type TestcontainersModule } from './peer.js';

/** The container engine testcontainers found, as the harness uses it. */
export interface ContainerEngine {
  readonly testcontainers: TestcontainersModule;
  readonly client: RuntimeClient;
  /**
   * The engine's API address for the reaper (`unix:///var/run/docker.sock`, `http://host:2375`),
   * or undefined when the reaper cannot reach it (TLS): containers are then removed at teardown only.
   */
  readonly endpoint: string | undefined;
  readonly serverVersion: string;
}

/** What `detectContainerEngine` found: an engine, or why there is none and how to get one. */
export type EngineStatus =
  | { readonly available: true; readonly endpoint: string | undefined; readonly serverVersion: string }
  | { readonly available: false; readonly reason: string; readonly hint: string };

/** How to get an engine, for skip messages and errors. */
export const ENGINE_HINT =
  'start a Docker engine (on Debian, as root: apt-get install docker.io, then dockerd; in a checkout of Quiesce: ' +
  'scripts/docker-engine.sh start), or point DOCKER_HOST at one ' +
  `(Podman: DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock); see ${guide('containers.md')}`;

/** Bound on finding the engine: a DOCKER_HOST that swallows packets must not hang the run. */
export const ENGINE_DETECT_TIMEOUT = 15_000;

let engine: Promise<ContainerEngine> | undefined;

/**
 * The engine testcontainers resolves (DOCKER_HOST, ~/.testcontainers.properties, the default
 * socket, Podman's and rootless sockets), found once per process. Rejects with MISSING_PEER when
 * testcontainers is not installed and NO_CONTAINER_ENGINE when no engine answers; a failed look-up
 * is tried again on the next call.
 */
export function containerEngine(): Promise<ContainerEngine> {
  engine ??= findEngine().catch((error: unknown) => {
    engine = undefined;
    throw error;
  });
  return engine;
}

async function findEngine(): Promise<ContainerEngine> {
  // Nothing to find: said without loading testcontainers (most of a run's start-up cost here).
  const nowhere = nowhereToLook();
  if (nowhere !== undefined) throw noEngine(nowhere);
  const testcontainers = await loadTestcontainers();
  let outcome = await lookUp(testcontainers);
  if ('error' in outcome && process.env[HOST_OVERRIDE] === undefined && existsSync('/.dockerenv')) {
    // Inside a container, testcontainers asks the engine for its bridge network's gateway, and an
    // engine without a bridge (dockerd --bridge=none) has none: containers then use host
    // networking, reached on 127.0.0.1. Its documented override says so; kept only if it works.
    process.env[HOST_OVERRIDE] = '127.0.0.1';
    outcome = await lookUp(testcontainers);
    if ('error' in outcome) delete process.env[HOST_OVERRIDE];
  }
  if ('error' in outcome) throw noEngine(outcome.error instanceof Error ? outcome.error.message : String(outcome.error), outcome.error);
  const { client } = outcome;
  return { testcontainers, client, endpoint: endpointOf(client.container.dockerode.modem), serverVersion: String(client.info.containerRuntime.serverVersion) };
}

/** The error of a look-up that found no engine, `why` in its reason. */
function noEngine(why: string, cause?: unknown): QuiesceError {
  const reason = `no container engine answers (DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unset'}: ${why})`;
  return new QuiesceError('NO_CONTAINER_ENGINE', `${reason}: ${ENGINE_HINT}`, {
    reason,
    dockerHost: process.env.DOCKER_HOST,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** testcontainers' documented variable for the host where containers are reached. */
const HOST_OVERRIDE = 'TESTCONTAINERS_HOST_OVERRIDE';

/** testcontainers' engine look-up, bounded in real time. */
async function lookUp(testcontainers: TestcontainersModule): Promise<{ client: RuntimeClient } | { error: unknown }> {
  const found = testcontainers.getContainerRuntimeClient().then(
    (client) => ({ client }),
    (error: unknown) => ({ error }),
  );
  return (await withinReal(found, ENGINE_DETECT_TIMEOUT)) ?? { error: new Error(`no answer within ${ENGINE_DETECT_TIMEOUT} ms`) };
}

/** The API address in the form the reaper speaks, from dockerode's modem settings. */
export function endpointOf(modem: { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown }): string | undefined {
  if (typeof modem.socketPath === 'string' && modem.socketPath !== '') return `unix://${modem.socketPath}`;
  if (typeof modem.host !== 'string' || modem.host === '') return undefined;
  if (modem.protocol === 'https' || modem.protocol === 'ssh') return undefined;
  return `http://${modem.host}:${modem.port === undefined || modem.port === '' ? 2375 : String(modem.port)}`;
}

/**
 * Whether a container engine is usable from here, never throwing: the once-per-run check of the
 * quiesce() preset's global setup, whose answer decides whether `docker`-tagged tests run.
 */
export async function detectContainerEngine(): Promise<EngineStatus> {
  try {
    const found = await containerEngine();
    return { available: true, endpoint: found.endpoint, serverVersion: found.serverVersion };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const said = (error as { details?: { reason?: unknown } }).details?.reason;
    const reason = typeof said === 'string' ? said : error instanceof Error ? error.message : String(error);
    return { available: false, reason, hint: code === 'MISSING_PEER' ? installHint() : ENGINE_HINT };
  }
}
