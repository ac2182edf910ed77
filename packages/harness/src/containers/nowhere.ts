import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/** What `nowhereToLook` reads of the machine (injectable for tests). */
export interface LookupPlaces {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly home: string;
  readonly uid: number;
  readonly exists: (path: string) => boolean;
}

function machine(): LookupPlaces {
  let uid = -1;
  try {
    uid = userInfo().uid;
  } catch {
    // No passwd entry (a container's arbitrary uid): its /run/user socket cannot be named.
  }
  return { env: process.env, platform: process.platform, home: homedir(), uid, exists: existsSync };
}

/**
 * Whether testcontainers could find an engine at all, decided without loading it (its import
 * costs a Vitest run a fifth of a second): undefined when it could (something it reads is there:
 * DOCKER_HOST, ~/.testcontainers.properties, one of the sockets its strategies try), else why
 * none can be found (for the look-up's own NO_CONTAINER_ENGINE reason). Windows, whose named pipes are not files, always gets the full look-up.
 * The places are testcontainers 11 and 12's own (UnixSocketStrategy, RootlessUnixSocketStrategy,
 * ConfigurationStrategy, TestcontainersHostStrategy).
 */
export function nowhereToLook(places: LookupPlaces = machine()): string | undefined {
  const { env, platform, home, uid, exists } = places;
  if (platform === 'win32' || env.DOCKER_HOST !== undefined) return undefined;
  const files = [
    join(home, '.testcontainers.properties'),
    '/var/run/docker.sock',
    ...(env.XDG_RUNTIME_DIR !== undefined ? [join(env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    ...(uid >= 0 ? [join('/run', 'user', String(uid), 'docker.sock')] : []),
  ];
  if (files.some(exists)) return undefined;
  return `none of the places testcontainers looks exists: ${files.join(', ')}`;
}
