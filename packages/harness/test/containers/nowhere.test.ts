import { describe, expect, test } from 'vitest';
import { nowhereToLook, type LookupPlaces } from '../../src/containers/nowhere.js';

/** A machine with only `files` on it. */
function machine(files: string[], env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = 'linux'): LookupPlaces {
  return { env, platform, home: '/home/dev', uid: 1000, exists: (path) => files.includes(path) };
}

describe('nowhereToLook: whether testcontainers could find an engine, without loading it', () => {
  test('nothing it reads is there: the reason names every place it would look', () => {
    const reason = nowhereToLook(machine([], { XDG_RUNTIME_DIR: '/run/user/1000' }));
    expect(reason).toBe(
      'none of the places testcontainers looks exists: /home/dev/.testcontainers.properties, /var/run/docker.sock, /run/user/1000/docker.sock, /home/dev/.docker/run/docker.sock, /home/dev/.docker/desktop/docker.sock, /run/user/1000/docker.sock',
    );
  });

  test.each([
    '/home/dev/.testcontainers.properties',
    '/var/run/docker.sock',
    '/xdg/docker.sock',
    '/home/dev/.docker/run/docker.sock',
    '/home/dev/.docker/desktop/docker.sock',
    '/run/user/1000/docker.sock',
  ])('any one of its places there (%s): the full look-up runs', (file) => {
    expect(nowhereToLook(machine([file], { XDG_RUNTIME_DIR: '/xdg' }))).toBeUndefined();
  });

  test('DOCKER_HOST set, even to nowhere: the full look-up runs and says what answered', () => {
    expect(nowhereToLook(machine([], { DOCKER_HOST: 'unix:///nowhere.sock' }))).toBeUndefined();
    expect(nowhereToLook(machine([], { DOCKER_HOST: '' }))).toBeUndefined();
  });

  test('Windows (named pipes are not files): always the full look-up', () => {
    expect(nowhereToLook(machine([], {}, 'win32'))).toBeUndefined();
  });

  test('a user without a passwd entry: its /run/user socket is not named', () => {
    expect(nowhereToLook({ ...machine([]), uid: -1 })).not.toContain('/run/user/');
  });
});
