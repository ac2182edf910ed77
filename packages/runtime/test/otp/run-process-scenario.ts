/**
 * Runs a process scenario (process-scenario.ts) on @quiesce/runtime and returns the trace lines
 * process_oracle.escript prints for it on OTP. The driver is code outside any process (its
 * signals come from 'external', and a trapping process sees them from <0.0>, named `driver`);
 * between steps the runtime runs until idle and fires due timers (the `never` calls' timeouts),
 * which is what the escript's settling does in real time.
 */
import {
  CallExitError,
  CallTimeoutError,
  NoProcError,
  Pid,
  Runtime,
  isDownMessage,
  isExitMessage,
  startServer,
  type ExitReason,
  type From,
  type ProcessContext,
  type ServerBehaviour,
} from '@quiesce/runtime';
import { requestLabel, type CallRequest, type Op, type ProcessScenario, type Reason } from './process-scenario.js';
import { formatRuntimeReason } from './run-on-runtime.js';

type Message = { do: Op[] } | { msg: string; tag: number } | { replyLater: From };

function toReason(r: Reason): ExitReason {
  return typeof r === 'string' ? r : { shutdown: r.shutdown };
}

export async function runProcessScenario(scenario: ProcessScenario): Promise<string[]> {
  const rt = new Runtime({ clock: 'virtual' });
  const trace: string[] = [];
  const pids = new Map<string, Pid>();
  const names = new Map<string, string>([[new Pid(rt.node, 0).toString(), 'driver']]);
  const nameOf = (pid: Pid | null): string => (pid === null ? 'driver' : (names.get(pid.toString()) ?? '?'));
  const pidOf = (name: string): Pid => pids.get(name)!;
  const rec = (me: string, sender: string, what: string): void => {
    trace.push(`${me} ${sender} ${what}`);
  };

  const callOutcome = async (call: Promise<unknown>): Promise<string> => {
    try {
      return `reply ${formatRuntimeReason(await call)}`;
    } catch (error) {
      if (error instanceof NoProcError) return 'noproc';
      if (error instanceof CallTimeoutError) return 'timeout';
      // OTP's call cannot tell a server that exited with noproc from one already gone.
      if (error instanceof CallExitError) return error.reason === 'noproc' ? 'noproc' : `exit ${formatRuntimeReason(error.reason)}`;
      throw error;
    }
  };
  const timeoutOf = (request: CallRequest): number | 'infinity' => (request === 'never' ? scenario.neverTimeout : 'infinity');

  /** What a process records about a message it handles (the escript's record_info). */
  const recordInfo = (me: string, m: unknown): void => {
    if (isExitMessage(m)) rec(me, nameOf(m.from), `exit_msg ${formatRuntimeReason(m.reason)}`);
    else if (isDownMessage(m)) rec(me, nameOf(m.pid), `down ${formatRuntimeReason(m.reason)}`);
    else if (typeof m === 'object' && m !== null && 'msg' in m) {
      const { msg, tag } = m as { msg: string; tag: number };
      rec(me, msg, `msg ${tag}`);
    } else rec(me, '?', `other ${JSON.stringify(m)}`);
  };

  /**
   * One actor's operations inside a process, synchronously up to the first call (so a process
   * runs its code to the end, or to a receive, as an Erlang process does). `inServer`: exit/1 is
   * a throw, so the behaviour's terminate runs as it does for exit(R) in a gen_server callback.
   */
  const runOps = (me: string, ctx: ProcessContext, ops: Op[], monitors: Map<string, number[]>, inServer: boolean, from = 0): void | Promise<void> => {
    for (let i = from; i < ops.length; i++) {
      const op = ops[i]!;
      if (!rt.isAlive(ctx.self)) return;
      if ('exit' in op) ctx.kill(pidOf(op.exit), toReason(op.reason));
      else if ('send' in op) ctx.send(pidOf(op.send), { msg: me, tag: op.tag });
      else if ('link' in op) {
        try {
          ctx.link(pidOf(op.link));
        } catch (error) {
          if (!(error instanceof NoProcError)) throw error;
          rec(me, op.link, 'link_noproc');
        }
      } else if ('unlink' in op) ctx.unlink(pidOf(op.unlink));
      else if ('monitor' in op) monitors.set(op.monitor, [ctx.monitor(pidOf(op.monitor)), ...(monitors.get(op.monitor) ?? [])]);
      else if ('demonitor' in op) {
        for (const ref of monitors.get(op.demonitor) ?? []) ctx.demonitor(ref);
        monitors.delete(op.demonitor);
      } else if ('call' in op) {
        return callOutcome(ctx.call(pidOf(op.call), op.request, timeoutOf(op.request))).then((outcome) => {
          if (!rt.isAlive(ctx.self)) return;
          rec(me, op.call, `call ${requestLabel(op.request)} ${outcome}`);
          return runOps(me, ctx, ops, monitors, inServer, i + 1);
        });
      } else if ('castStop' in op) ctx.cast(pidOf(op.castStop), { stop: toReason(op.reason) });
      else if (inServer) throw toReason(op.exitSelf);
      else return ctx.exit(toReason(op.exitSelf));
    }
  };

  const serverBehaviour = (trap: boolean): ServerBehaviour<{ me: string; monitors: Map<string, number[]> }, string> => ({
    init: (me, ctx) => {
      ctx.trapExit(trap);
      return { state: { me, monitors: new Map() } };
    },
    handleCall: (request: CallRequest, from, state, ctx) => {
      rec(state.me, nameOf(from.caller), `handled ${requestLabel(request)}`);
      if (request === 'echo') return { reply: 'echo', state };
      if (request === 'later') {
        ctx.send(ctx.self, { replyLater: from });
        return { noreply: true, state };
      }
      if (request === 'never') return { noreply: true, state };
      if ('crash' in request) throw toReason(request.crash);
      if ('stopReply' in request) return { stop: toReason(request.stopReply), reply: 'stopped', state };
      return { stop: toReason(request.stopNoreply), state };
    },
    handleCast: (message: { stop: ExitReason }, state) => ({ stop: message.stop, state }),
    handleInfo: (m, state, ctx) => {
      const message = m as Message;
      if (typeof message === 'object' && message !== null && 'do' in message) {
        const running = runOps(state.me, ctx, message.do, state.monitors, true);
        if (running) return running.then(() => ({ state }));
      } else if (typeof message === 'object' && message !== null && 'replyLater' in message) ctx.reply(message.replyLater, 'later');
      else recordInfo(state.me, m);
      return { state };
    },
    terminate: (reason, state) => rec(state.me, 'self', `terminate ${formatRuntimeReason(reason)}`),
  });

  for (const node of scenario.procs) {
    let pid: Pid;
    if (node.kind === 'server') pid = await startServer(rt, serverBehaviour(node.trap), node.name, { label: node.name });
    else {
      const monitors = new Map<string, number[]>();
      pid = rt.spawn(
        (m, ctx) => {
          if (typeof m === 'object' && m !== null && 'do' in m) return runOps(node.name, ctx, (m as { do: Op[] }).do, monitors, false);
          recordInfo(node.name, m);
        },
        { trapExit: node.trap, label: node.name },
      );
    }
    pids.set(node.name, pid);
    names.set(pid.toString(), node.name);
  }

  for (const step of scenario.steps) {
    if (step.actor === 'driver') await runDriverOps(rt, step.ops, pidOf, rec, callOutcome, timeoutOf);
    else if (rt.isAlive(pidOf(step.actor))) rt.send(pidOf(step.actor), { do: step.ops });
    await rt.runTimers();
  }
  for (const node of scenario.procs) {
    const pid = pidOf(node.name);
    trace.push(rt.isAlive(pid) ? `${node.name} end alive` : `${node.name} end died ${formatRuntimeReason(rt.exitReason(pid))}`);
  }
  await rt.shutdown();
  return trace;
}

/** The driver's operations: code outside any process (exit signals, sends and calls only). */
async function runDriverOps(
  rt: Runtime,
  ops: Op[],
  pidOf: (name: string) => Pid,
  rec: (me: string, sender: string, what: string) => void,
  callOutcome: (call: Promise<unknown>) => Promise<string>,
  timeoutOf: (request: CallRequest) => number | 'infinity',
): Promise<void> {
  for (const op of ops) {
    if ('exit' in op) rt.exit(pidOf(op.exit), toReason(op.reason));
    else if ('send' in op) rt.send(pidOf(op.send), { msg: 'driver', tag: op.tag });
    else if ('castStop' in op) rt.cast(pidOf(op.castStop), { stop: toReason(op.reason) });
    else if ('call' in op) {
      const outcome = callOutcome(rt.call(pidOf(op.call), op.request, timeoutOf(op.request)));
      await rt.runTimers(); // a `never` call waits out its timeout
      rec('driver', op.call, `call ${requestLabel(op.request)} ${await outcome}`);
    } else throw new Error(`the driver cannot ${JSON.stringify(op)}`);
  }
}
