import type { TestProject } from 'vitest/node';
import { detectContainerEngine } from '../containers/engine.js';

/**
 * The quiesce() preset's global setup: look for a container engine once per run (in Vitest's main
 * process) and hand the answer to every worker (`inject('quiesceDocker')`), where tests tagged
 * `docker` then run or skip with the reason and how to get an engine.
 */
export default async function setup(project: TestProject): Promise<void> {
  const status = await detectContainerEngine();
  project.provide('quiesceDocker', status);
  const say = (line: string): void => project.vitest.logger.log(line);
  if (status.available) say(`[quiesce] container engine: Docker API ${status.serverVersion} at ${status.endpoint ?? 'a TLS endpoint'}`);
  else say(`[quiesce] no container engine: tests tagged 'docker' will be skipped (${status.reason.split('\n')[0]}). To run them: ${status.hint}`);
}
