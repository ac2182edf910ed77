import { QuiesceError } from '@quiesce/runtime';
import { isMissing } from '../core/missing.js';

/** The testcontainers module as the harness uses it (see types.ts for why it is not imported by type). */
export interface TestcontainersModule {
  GenericContainer: new (image: string) => GenericContainerBuilder;
  getContainerRuntimeClient(): Promise<RuntimeClient>;
}

/** The builder methods the harness calls on a GenericContainer it makes from an image name. */
export interface GenericContainerBuilder {
  withCommand(command: string[]): GenericContainerBuilder;
  withEntrypoint(entrypoint: string[]): GenericContainerBuilder;
  withEnvironment(env: Record<string, string>): GenericContainerBuilder;
  withLabels(labels: Record<string, string>): GenericContainerBuilder;
  withNetworkMode(mode: string): GenericContainerBuilder;
  withWaitStrategy(strategy: object): GenericContainerBuilder;
  withStartupTimeout(ms: number): GenericContainerBuilder;
  start(): Promise<import('./types.js').StartedContainerLike>;
}

/** testcontainers' ContainerRuntimeClient, the parts used here. */
export interface RuntimeClient {
  readonly info: { readonly containerRuntime: { readonly serverVersion: unknown; readonly host: string } };
  readonly container: {
    readonly dockerode: {
      readonly modem: { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
      getEvents(options?: { since?: number; filters?: unknown }): Promise<NodeJS.ReadableStream>;
      listContainers(options?: { all?: boolean; filters?: unknown }): Promise<Array<{ Id: string }>>;
    };
    getById(id: string): import('./types.js').EngineContainer;
  };
}

const PEER = 'testcontainers';

/** How to install the peer that fits this Node. */
export function installHint(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) return 'npm install -D testcontainers@12 (Node >= 22.22) or testcontainers@11';
  return 'npm install -D testcontainers@11 (testcontainers 12 needs Node >= 22.22)';
}

let loaded: Promise<TestcontainersModule> | undefined;

/**
 * testcontainers, imported on first use. Before the import, Ryuk (testcontainers' reaper
 * container, an image pulled from a registry) is turned off through its documented variable
 * unless the user set it: Quiesce's own reaper removes a killed worker's containers.
 */
export function loadTestcontainers(): Promise<TestcontainersModule> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  loaded ??= import(/* @vite-ignore */ PEER).then(
    (module: unknown) => module as TestcontainersModule,
    (error: unknown) => {
      loaded = undefined;
      if (isMissing(error, PEER)) {
        const message = `containers need the optional peer 'testcontainers', which is not installed: ${installHint()}`;
        throw new QuiesceError('MISSING_PEER', message, { peer: PEER, cause: error });
      }
      throw error;
    },
  );
  return loaded;
}
