import { InvalidOptionError, isKind, isNormalExit, type ChildSpec, type EventOf } from '@quiesce/runtime';
import { historyProperty, OK, violated, type HistoryProperty } from './property.js';

function transientIds(children: ReadonlyArray<ChildSpec | string> | undefined): Set<string> | undefined {
  if (children === undefined) return undefined;
  if (!Array.isArray(children))
    throw new InvalidOptionError('transientNotRestartedAfterNormalExit(children)', children, 'an array of child specs or transient child ids');
  const ids = new Set<string>();
  for (const [i, c] of children.entries()) {
    if (typeof c === 'string' && c.length > 0) ids.add(c);
    else if (typeof c === 'object' && c !== null && typeof (c as ChildSpec).id === 'string') {
      if ((c as ChildSpec).restart === 'transient') ids.add((c as ChildSpec).id);
    } else
      throw new InvalidOptionError(
        `transientNotRestartedAfterNormalExit(children)[${i}]`,
        c,
        'a child spec { id, restart } or a child id (a non-empty string)',
      );
  }
  return ids;
}

/**
 * OTP's rule for transient children: one that exits `normal`, `shutdown` or `{ shutdown: term }`
 * is not restarted. Judged from the history: a `child.exit` of a transient child with a normal
 * reason, followed by a `child.restart` of that child by the same supervisor before that
 * supervisor saw any other child exit (which could legitimately restart it under one_for_all or
 * rest_for_one) or started again. The witness is that exit and that restart.
 *
 * Which children are transient: the `restart` type the runtime's supervisors record on
 * `child.exit`, or, for histories from elsewhere, the `children` given (specs, or ids taken as
 * transient). A manual `restartChild` after a normal exit reads as a restart here too.
 */
export function transientNotRestartedAfterNormalExit(children?: ReadonlyArray<ChildSpec | string>): HistoryProperty {
  const given = transientIds(children);
  return historyProperty('transient children are not restarted after a normal exit', (history) => {
    // Per supervisor, the normal exits of transient children still waiting to be judged.
    const pending = new Map<string, Map<string, EventOf<'child.exit'>>>();
    for (const e of history.events) {
      if (isKind(e, 'supervisor.start')) pending.delete(e.source);
      // Histories from elsewhere may name children any way: only string ids are judged.
      if (!isKind(e, 'child.exit', 'child.restart', 'child.start') || typeof e.data.id !== 'string') continue;
      const id = e.data.id;
      if (e.kind === 'child.exit') {
        const transient = given ? given.has(id) : e.data.restart === 'transient';
        // Any exit the supervisor sees may restart siblings by strategy: earlier exits are settled.
        const mine = new Map<string, EventOf<'child.exit'>>();
        if (transient && isNormalExit(e.data.reason)) mine.set(id, e);
        pending.set(e.source, mine);
      } else if (e.kind === 'child.restart') {
        const exit = pending.get(e.source)?.get(id);
        if (exit) {
          const reason = JSON.stringify(exit.data.reason);
          return violated([exit, e], `transient child ${JSON.stringify(id)} exited with ${reason} (a normal exit) and ${e.source} restarted it`);
        }
      } else if (e.kind === 'child.start') {
        pending.get(e.source)?.delete(id);
      }
    }
    return OK;
  });
}
