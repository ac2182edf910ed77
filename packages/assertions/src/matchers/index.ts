import { toHaveAllChildrenAlive, toHaveChildCount, toHaveChildren, toHaveTerminatedInOrder } from './children.js';
import { toConverge } from './converge.js';
import { toHaveNoLeaks } from './leaks.js';
import { toMeetLatency } from './latency.js';
import { toBeAlive, toHaveExited } from './liveness.js';
import { toReceive } from './receive.js';
import { toBeResponsive } from './responsive.js';
import { toHaveRestarted, toRestart } from './restarts.js';
import { toSatisfy } from './satisfy.js';
import { toYield } from './yield.js';
import { toKeepMailboxWithin } from './mailbox.js';
import { toRecordEvents } from './counts.js';
import { toLeakMemory } from './memory.js';

/** Every matcher `expect.extend` registers, by name. */
export const quiesceMatchers = {
  toBeAlive,
  toHaveExited,
  toRestart,
  toHaveRestarted,
  toHaveChildren,
  toHaveChildCount,
  toHaveAllChildrenAlive,
  toHaveTerminatedInOrder,
  toBeResponsive,
  toReceive,
  toConverge,
  toHaveNoLeaks,
  toSatisfy,
  toYield,
  toMeetLatency,
  toKeepMailboxWithin,
  toRecordEvents,
  toLeakMemory,
};
