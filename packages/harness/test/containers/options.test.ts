import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import { ProcessGroupReaper } from '@quiesce/runtime/internal';
import { ContainerHandle, killContainer, pauseContainer, sharedContainer } from '@quiesce/harness';
import { endpointOf, parseContainer, parseEvent } from '../../src/containers/index.js';
import { installHint } from '../../src/containers/peer.js';
import { noEngineLine } from '../../src/preset/docker-global-setup.js';
import { dockerGlobalSetupPath, quiesce } from '../../src/preset/plugin.js';

/** A stand-in for a testcontainers GenericContainer: only its shape is looked at. */
const specLike = {
  start: async () => ({}),
  withLabels: () => undefined,
  withNetworkMode: () => undefined,
  withWaitStrategy: () => undefined,
  withStartupTimeout: () => undefined,
};

describe('system.container options', () => {
  test('an image name gets host networking and the defaults', () => {
    const parsed = parseContainer('quiesce/redis:local', { command: ['--port', '7001'], listening: 7001 });
    const defaults = { network: 'host', startupTimeout: 60_000, stopTimeout: 0, label: 'quiesce/redis:local' };
    expect(parsed).toMatchObject({ image: 'quiesce/redis:local', listening: 7001, ...defaults });
    expect(parseContainer(specLike).network).toBeUndefined(); // a container object keeps its own network
  });

  test.each([
    ['an image with a space', 'redis latest', {}, 'container(image)'],
    ['neither an image nor a container object', 42, {}, 'container(image)'],
    ['a typo', 'redis', { listenning: 1 }, "did you mean 'listening'"],
    ['a port out of range', 'redis', { listening: 70_000 }, 'listening'],
    ['a command that is not argv', 'redis', { command: 'redis-server --port 1' }, 'command'],
    ['env with a number', 'redis', { env: { A: 1 } }, 'env.A'],
    ['a bad network', 'redis', { network: 'host; rm -rf /' }, 'network'],
    ['a wait that is no strategy', 'redis', { wait: /ready/ }, 'wait'],
    ['a zero startup timeout', 'redis', { startupTimeout: 0 }, 'startupTimeout'],
    ['command with a container object', specLike, { command: ['x'] }, 'withCommand'],
  ])('%s is an InvalidOptionError naming it', (_name, what, options, named) => {
    expect(() => parseContainer(what, options)).toThrow(InvalidOptionError);
    expect(() => parseContainer(what, options)).toThrow(named);
  });

  test('fuzzed: any input parses or is an InvalidOptionError, never anything else', () => {
    const what = fc.oneof(fc.string(), fc.constant('quiesce/redis:local'), fc.constant(specLike), fc.anything());
    const options = fc.oneof(
      fc.anything(),
      fc.record(
        {
          command: fc.oneof(fc.array(fc.string()), fc.anything()),
          env: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
          network: fc.oneof(fc.constantFrom('host', 'bridge', 'none'), fc.string()),
          listening: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.anything()),
          startupTimeout: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.anything()),
          stopTimeout: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.anything()),
          label: fc.oneof(fc.string(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(what, options, (w, o) => {
        try {
          parseContainer(w, o);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(InvalidOptionError);
        }
      }),
    );
  });

  test('faults reject what is not a container handle, and bad kill signals, with QuiesceErrors', async () => {
    await expect(pauseContainer({} as ContainerHandle)).rejects.toThrow(InvalidOptionError);
    expect(ContainerHandle).toBeTypeOf('function');
    await expect(killContainer(null as unknown as ContainerHandle)).rejects.toBeInstanceOf(QuiesceError);
  });

  test('sharedContainer rejects a definition that is not a function', () => {
    expect(() => sharedContainer(42 as never)).toThrow(InvalidOptionError);
    expect(() => sharedContainer(() => ({ image: 'x' }), { reset: 'FLUSHALL' as never })).toThrow('reset');
  });
});

describe('the engine plumbing', () => {
  test("without testcontainers the run's first line names the install command once, not twice", () => {
    const hint = installHint();
    const reason = `containers need the optional peer 'testcontainers', which is not installed: ${hint}`;
    for (const required of [false, true]) {
      const line = noEngineLine(reason, hint, required);
      expect(line.split(hint)).toHaveLength(2);
      expect(line).toContain("(containers need the optional peer 'testcontainers', which is not installed). To run them: npm install -D testcontainers@");
    }
    // An engine that does not answer: the reason and the hint differ, both are said.
    expect(noEngineLine('no container engine answers (DOCKER_HOST=unset)', 'start a Docker engine', false)).toBe(
      "[quiesce] no container engine: tests tagged 'docker' will be skipped (no container engine answers (DOCKER_HOST=unset)). To run them: start a Docker engine",
    );
  });

  test('the quiesce() preset looks for an engine once per run (a global setup) when it defines the tags, and not without them', () => {
    const configOf = (plugin: ReturnType<typeof quiesce>) => (plugin.config as (c: object) => { test: { globalSetup?: string[] } })({}).test;
    expect(configOf(quiesce({ printSeed: false })).globalSetup).toEqual([dockerGlobalSetupPath()]);
    expect(dockerGlobalSetupPath()).toMatch(/docker-global-setup\.(ts|js)$/);
    expect(configOf(quiesce({ tags: false, printSeed: false })).globalSetup).toBeUndefined();
  });

  test('the reaper is told the engine in the form it speaks, and nothing for TLS it cannot reach', () => {
    expect(endpointOf({ socketPath: '/var/run/docker.sock' })).toBe('unix:///var/run/docker.sock');
    expect(endpointOf({ host: '127.0.0.1', port: 2375, protocol: 'http' })).toBe('http://127.0.0.1:2375');
    expect(endpointOf({ host: 'docker', port: '' })).toBe('http://docker:2375');
    expect(endpointOf({ host: 'docker', port: 2376, protocol: 'https' })).toBeUndefined();
    expect(endpointOf({})).toBeUndefined();
  });

  test('engine events: a die carries the exit code; noise is ignored', () => {
    const die = JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { exitCode: '137' } } });
    expect(parseEvent(die)).toEqual({ action: 'die', id: 'abc', exitCode: 137 });
    expect(parseEvent(JSON.stringify({ status: 'pause', id: 'abc' }))).toEqual({ action: 'pause', id: 'abc' });
    for (const noise of ['', 'not json', '42', 'null', '{}']) expect(parseEvent(noise)).toBeUndefined();
  });

  test('the reaper accepts only key=value container labels with a value (a bare key would match every container)', async () => {
    const reaper = new ProcessGroupReaper();
    expect(() => reaper.watchContainers('unix:///var/run/docker.sock', 'org.quiesce.owner')).toThrow(InvalidOptionError);
    expect(() => reaper.watchContainers('unix:///var/run/docker.sock', 'org.quiesce.owner=')).toThrow('non-empty value');
    expect(() => reaper.watchContainers('ftp://engine', 'a=b')).toThrow('watchContainers(endpoint)');
    expect(reaper.containerWatches).toEqual([]);
    expect(reaper.pid).toBeUndefined(); // nothing registered: no reaper started
    await reaper.close();
  });
});
