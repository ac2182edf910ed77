import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { processReaper } from '@quiesce/runtime';

/** The label every container the harness starts carries: which process (Vitest worker) owns it. */
export const OWNER_LABEL = 'org.quiesce.owner';
/** The label naming one container, so it can be found before its id is known (a start that failed half way). */
export const INSTANCE_LABEL = 'org.quiesce.instance';
/** The test (or file, for a shared container) that started it, for people reading `docker ps`. */
export const TEST_LABEL = 'org.quiesce.test';

/** This process's owner value: host, pid and a random part (worker threads share a pid). */
export const OWNER = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;

const warned = new Set<string>();

/**
 * Tell this process's reaper that containers labelled with OWNER on the engine at `endpoint`
 * are ours, so it force-removes them if this process dies without teardown (a SIGKILLed Vitest
 * worker). Called before every start, so a container is covered from its creation.
 */
export function watchOwnedContainers(endpoint: string | undefined): void {
  if (endpoint === undefined) {
    if (!warned.has('tls')) {
      warned.add('tls');
      const why = "Quiesce's reaper cannot reach this container engine (TLS or SSH): containers are removed at teardown, not if the worker is killed";
      process.emitWarning(why, 'QuiesceWarning');
    }
    return;
  }
  processReaper().watchContainers(endpoint, `${OWNER_LABEL}=${OWNER}`);
}
