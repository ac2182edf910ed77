import { InvalidOptionError } from '@quiesce/runtime';

/** Parts a run can require: `docker`, a container engine for the tests tagged `docker`. */
export type RequiredPart = 'docker';
export const REQUIRED_PARTS: readonly RequiredPart[] = ['docker'];

/**
 * The environment variable that makes parts required: `QUIESCE_REQUIRE=docker`. Without it a
 * `docker`-tagged test skips when no engine answers; with it the test fails with the reason and
 * the run exits 2 (an infrastructure error), so a CI lane that must run them cannot pass silently.
 */
export const REQUIRE_ENV = 'QUIESCE_REQUIRE';

/** Parse a comma-separated list of required parts ('' or unset: none). */
export function parseRequired(option: string, text: string | undefined): RequiredPart[] {
  if (text === undefined) return [];
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const part of parts) {
    if (!REQUIRED_PARTS.includes(part as RequiredPart)) {
      throw new InvalidOptionError(option, part, `a comma-separated list of required parts: ${REQUIRED_PARTS.map((p) => `'${p}'`).join(', ')}`);
    }
  }
  return [...new Set(parts as RequiredPart[])];
}

/** The parts this process's environment requires; a bad value throws an InvalidOptionError naming QUIESCE_REQUIRE. */
export function requiredParts(env: NodeJS.ProcessEnv = process.env): RequiredPart[] {
  return parseRequired(REQUIRE_ENV, env[REQUIRE_ENV]);
}

/** The first line of the error a `docker`-tagged test fails with when a required engine is absent. */
export const MISSING_ENGINE_MARK = 'a required part is missing: no container engine';
