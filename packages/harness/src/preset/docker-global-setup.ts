import type { TestProject } from 'vitest/node';
import { detectContainerEngine } from '../containers/engine.js';
import { DOCKER_TAG } from './docker-skip.js';
import { REQUIRE_ENV, requiredParts } from './require.js';

/** The exit code of a run that needed a required part it did not have (as `quiesce flaky`'s). */
export const MISSING_PART_EXIT_CODE = 2;

/**
 * The line a run without an engine starts with. The hint is said once: a missing
 * `testcontainers`'s reason already ends with the command that installs it.
 */
export function noEngineLine(reason: string, hint: string, required: boolean): string {
  const what = required
    ? `no container engine, and ${REQUIRE_ENV}=docker requires one: tests tagged 'docker' fail and the run exits 2`
    : `no container engine: tests tagged 'docker' will be skipped`;
  const why = reason.endsWith(hint) ? reason.slice(0, -hint.length).replace(/[\s:]+$/, '') : reason;
  return `[quiesce] ${what} (${why}). To run them: ${hint}`;
}

/**
 * Vitest runs a global setup once for each project of a workspace, each with its own copy of this
 * module: the runs that already said the engine line are kept realm-wide, by Vitest instance.
 */
const SAID = Symbol.for('quiesce.preset.engine-line-said');

function sayOncePerRun(project: TestProject, line: string): void {
  const realm = globalThis as Record<symbol, unknown>;
  const said = (realm[SAID] ??= new WeakSet<object>()) as WeakSet<object>;
  if (said.has(project.vitest)) return;
  said.add(project.vitest);
  project.vitest.logger.log(line);
}

/**
 * The quiesce() preset's global setup: look for a container engine once per run (in Vitest's main
 * process) and hand the answer to every worker (`inject('quiesceDocker')`), where tests tagged
 * `docker` then run or skip with the reason and how to get an engine. With QUIESCE_REQUIRE=docker
 * they fail instead of skipping, and the run exits 2 once a `docker`-tagged test was selected.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const required = requiredParts().includes('docker');
  const status = await detectContainerEngine();
  project.provide('quiesceDocker', status);
  project.provide('quiesceDockerRequired', required);
  const say = (line: string): void => sayOncePerRun(project, line);
  if (status.available) {
    say(`[quiesce] container engine: Docker API ${status.serverVersion} at ${status.endpoint ?? 'a TLS endpoint'}`);
    return undefined;
  }
  const reason = status.reason.split('\n')[0] ?? '';
  say(noEngineLine(reason, status.hint, required));
  // The run's exit code, set once Vitest has set its own (1 for the failed tests): 2, an
  // infrastructure error, when a docker-tagged test was selected.
  return () => {
    const selected = project.vitest.state
      .getTestModules()
      .flatMap((module) => [...module.children.allTests()])
      .filter((test) => test.tags.includes(DOCKER_TAG) && test.result().state === 'failed');
    if (selected.length === 0) return;
    project.vitest.logger.error(
      `[quiesce] exit ${MISSING_PART_EXIT_CODE}: ${selected.length} test(s) tagged 'docker' need a container engine ${REQUIRE_ENV}=docker requires, and none answers (${reason}). To run them: ${status.hint}`,
    );
    process.exitCode = MISSING_PART_EXIT_CODE;
  };
}
