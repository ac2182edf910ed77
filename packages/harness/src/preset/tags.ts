import type { TestTagDefinition } from 'vitest/config';

/** The tags Quiesce defines (Vitest >= 4.1 native test tags). */
export const QUIESCE_TAG_NAMES = ['live', 'docker', 'chaos', 'slow'] as const;
export type QuiesceTag = (typeof QUIESCE_TAG_NAMES)[number];

/** The environment variable that runs `live` tests (`QUIESCE_LIVE=1`). */
export const LIVE_ENV = 'QUIESCE_LIVE';

/** Long-running categories get this Vitest timeout unless the test sets its own. */
export const SLOW_TAG_TIMEOUT = 120_000;

/**
 * Quiesce's tag definitions. `live` tests talk to real external services, so they are skipped
 * unless asked for (`live: true`); the others only label and lengthen timeouts.
 */
export function quiesceTags({ live }: { live: boolean }): TestTagDefinition[] {
  return [
    {
      name: 'live',
      description: `Talks to real external services; skipped unless ${LIVE_ENV}=1 or --tags-filter names live.`,
      timeout: SLOW_TAG_TIMEOUT,
      ...(live ? {} : { skip: true }),
    },
    { name: 'docker', description: 'Needs a container engine (testcontainers); skipped, saying why, when the run finds none.', timeout: SLOW_TAG_TIMEOUT },
    { name: 'chaos', description: 'Injects faults or explores schedules from a seed.' },
    { name: 'slow', description: 'Takes long; leave it out with --tags-filter="!slow".', timeout: SLOW_TAG_TIMEOUT },
  ];
}

/** Whether a tags filter (`--tags-filter`) asks for `tag`: names it anywhere not directly negated. */
export function tagsFilterRequests(filter: readonly string[] | undefined, tag: string): boolean {
  if (!filter) return false;
  const escaped = tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mention = new RegExp(`(!\\s*)?(?<![\\w-])${escaped}(?![\\w-])`, 'g');
  return filter.some((expression) => typeof expression === 'string' && [...expression.matchAll(mention)].some((m) => m[1] === undefined));
}
