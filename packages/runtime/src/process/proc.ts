import type { TimerHandle } from '../kernel/clock.js';
import type { ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';
import type { From, SystemRequest } from './protocol.js';

/**
 * A process's code as the kernel runs it. The context it gets is made by the runtime above (its
 * `ProcessContext`); the kernel only hands it over, so here its type is left to the runtime.
 */
export type ProcessCode = (message: unknown, ctx: any) => void | Promise<void>;

/** Answers system requests (sync, get_state) for a process; the default answers sync only. */
export type SystemHandler = (request: SystemRequest, from: From) => void;

/** Told a mailbox's new length (messages not yet handled) each time it changes. */
export type MailboxListener = (length: number) => void;

/** Internal per-process state. Kept small: an idle process should cost well under 2 KB. */
export class Proc {
  readonly pid: Pid;
  readonly key: string;
  label: string;
  handler: ProcessCode;
  mailbox: unknown[] = [];
  head = 0;
  trapExit = false;
  alive = true;
  busy = false;
  /** Its turn to handle its mailbox is scheduled. */
  woken = false;
  /** Runs its turn (see Delivery.deliver); made on its first message. */
  turn: (() => void) | undefined = undefined;
  /** A handler (or init) of this process is running: it counts as active unless blocked on kernel waits. */
  running = false;
  /** Kernel waits (calls, sleeps, ctx.await) started by the current handler run and still pending. */
  waits = 0;
  /** Numbers handler runs, so a wait left pending by an earlier run cannot touch the current one's count. */
  run = 0;
  exitReason: ExitReason | undefined = undefined;
  name: string | undefined = undefined;
  links: Set<Proc> | undefined = undefined;
  /** monitor ref -> the watcher (a process, or a callback for internal watchers), set when the monitor request arrives. */
  watchers: Map<number, Proc | ((reason: ExitReason) => void)> | undefined = undefined;
  /** Refs of the monitors this process holds as the watcher (its side of them, active at once). */
  monitors: Set<number> | undefined = undefined;
  timers: Set<TimerHandle> | undefined = undefined;
  system: SystemHandler | undefined = undefined;
  /** The context its code sees (the runtime's ProcessContext), made on its first run. */
  ctx: object | undefined = undefined;
  /** Told the mailbox's length at every enqueue and dequeue (see Runtime.watchMailbox); usually none. */
  mailboxWatchers: Set<MailboxListener> | undefined = undefined;

  constructor(pid: Pid, handler: ProcessCode, label: string | undefined) {
    this.pid = pid;
    this.key = pid.toString();
    this.label = label ?? this.key;
    this.handler = handler;
  }
}
