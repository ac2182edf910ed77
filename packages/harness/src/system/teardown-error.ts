import { QuiesceError } from '@quiesce/runtime';

/**
 * More than one thing went wrong at teardown (a linked crash, leaks, disposals that threw). The
 * most important problem leads: it gives the code and is the `cause`; the message names them all.
 */
export class TeardownError extends QuiesceError {
  readonly problems: readonly unknown[];

  constructor(problems: readonly unknown[]) {
    const first = problems[0];
    super(
      first instanceof QuiesceError ? first.code : 'LEAK',
      `${problems.length} problems at teardown:\n${problems.map((p, i) => `  ${i + 1}. ${describe(p).replaceAll('\n', '\n     ')}`).join('\n')}`,
      { problems },
    );
    this.problems = problems;
    (this as { cause?: unknown }).cause = first;
  }
}

/** The one error teardown throws: the problem itself when there is one, a TeardownError for several. */
export function teardownFailure(problems: readonly unknown[]): unknown {
  return problems.length === 1 ? problems[0] : new TeardownError(problems);
}

/**
 * Teardown's error without `problem` (one the test has already reported): undefined when nothing
 * else is left, the remaining problem, or a TeardownError of the rest.
 */
export function withoutProblem(error: unknown, problem: unknown): unknown {
  if (error === problem) return undefined;
  if (!(error instanceof TeardownError) || !error.problems.includes(problem)) return error;
  const rest = error.problems.filter((p) => p !== problem);
  return rest.length === 0 ? undefined : teardownFailure(rest);
}

function describe(problem: unknown): string {
  return problem instanceof Error ? problem.message : String(problem);
}
