/**
 * The names of Quiesce's matchers, without their code: what the quiesce() preset registers as
 * placeholders until the matchers load (see preset.ts). A test keeps it equal to the keys of
 * `quiesceMatchers`.
 */
export const MATCHER_NAMES = [
  'toBeAlive',
  'toHaveExited',
  'toRestart',
  'toHaveRestarted',
  'toHaveChildren',
  'toHaveChildCount',
  'toHaveAllChildrenAlive',
  'toHaveTerminatedInOrder',
  'toBeResponsive',
  'toReceive',
  'toConverge',
  'toHaveNoLeaks',
  'toSatisfy',
  'toYield',
  'toMeetLatency',
  'toKeepMailboxWithin',
  'toRecordEvents',
  'toLeakMemory',
] as const;

/** Realm-wide mark that the real matchers are registered (a `Symbol.for` key: every copy of the package agrees). */
export const MATCHERS_REGISTERED: unique symbol = Symbol.for('quiesce.assertions.registered');
