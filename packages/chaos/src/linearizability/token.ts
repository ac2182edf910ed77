import { InvalidOptionError } from '@quiesce/runtime';
import type { Scenario } from './types.js';

/**
 * A replay token: the scenario and the scheduler's recorded choices (Scheduler.token), as
 * base64url JSON. Whatever strategy chose the schedule, its choices replay it.
 */

interface TokenBody {
  readonly v: 1;
  readonly scenario: Scenario<unknown>;
  readonly schedule: string;
}

export function encodeToken(scenario: Scenario<unknown>, schedule: string): string {
  const body: TokenBody = { v: 1, scenario, schedule };
  return `lin1.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
}

export function decodeToken<I>(where: string, token: unknown): { scenario: Scenario<I>; schedule: string } {
  const accepted = 'a token from a concurrent run (run.token, or the one a LinearizabilityError prints)';
  if (typeof token !== 'string' || !token.startsWith('lin1.')) throw new InvalidOptionError(where, token, accepted);
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token.slice(5), 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw new InvalidOptionError(where, token, accepted);
  }
  const scenarioOk = Array.isArray(body.scenario) && body.scenario.every((client) => Array.isArray(client));
  if (body.v !== 1 || !scenarioOk || typeof body.schedule !== 'string') throw new InvalidOptionError(where, token, accepted);
  return { scenario: body.scenario as Scenario<I>, schedule: body.schedule };
}
