import { QuiesceError } from '../errors.js';
import type { SupervisorEventKind, QuiesceEvents } from '../kernel/events.js';
import { andThen, isPromise, type MaybePromise } from '../kernel/maybe-promise.js';
import { isExitMessage, isNormalExit, serialiseReason, type ExitReason } from '../process/exit-reason.js';
import { Pid } from '../process/pid.js';
import type { ProcessContext, Runtime } from '../process/runtime.js';
import type { CastResult, InitResult, ServerBehaviour } from '../server/server.js';
import { startChildProcess, terminateChild, type ChildStartOutcome } from './child-ops.js';
import { isSupervisorSpec, normaliseChildSpec, type ChildSpec, type NormalisedChildSpec, type SupervisorSpec } from './spec.js';
import { childState, type CallReply, type ChildState, type SupCall, type SupState } from './state.js';

/**
 * How a supervisor takes a nested supervisor spec given to startChild: validated as a whole tree
 * and turned into a child spec that starts it. Handed in by the module that starts supervisors,
 * which the behaviour cannot import (it imports the behaviour).
 */
export interface NestedSupervisors {
  /** The whole tree validated (throwing INVALID_CHILD_SPEC naming `where`), as a child spec that starts it. */
  asChild(spec: SupervisorSpec, where: string): ChildSpec;
}

/** The child that failed to start in start_children, and why. */
interface StartFailure {
  id: string;
  reason: unknown;
}

/** The supervisor's gen_server callbacks: OTP's supervisor module, over `state`. */
export function supervisorBehaviour(runtime: Runtime, state: SupState, nested: NestedSupervisors): ServerBehaviour<SupState> {
  const record = <K extends SupervisorEventKind>(kind: K, data: QuiesceEvents[K]): void => {
    runtime.record(kind, state.label, data);
  };

  const startOne = (ctx: ProcessContext, child: ChildState) => startChildProcess(runtime, ctx, child.spec, child.path);

  /**
   * start_children: left to right. Temporary children that return ignore are dropped. Stops at
   * the first failure and reports which child failed. Children whose start functions return
   * plain values start within this call; the first promise makes the rest wait for it.
   */
  const startChildren = (ctx: ProcessContext, list: ChildState[], restarting: boolean): MaybePromise<StartFailure | undefined> => {
    const toStart = [...list];
    const from = (i: number): MaybePromise<StartFailure | undefined> => {
      for (; i < toStart.length; i++) {
        const child = toStart[i]!;
        const outcome = startOne(ctx, child);
        if (isPromise(outcome)) {
          const next = i + 1;
          return outcome.then((o) => started(child, o, restarting) ?? from(next));
        }
        const failed = started(child, outcome, restarting);
        if (failed) return failed;
      }
      return undefined;
    };
    return from(0);
  };

  /** The bookkeeping after one child of start_children started: a failure stops the loop. */
  const started = (child: ChildState, outcome: ChildStartOutcome, restarting: boolean): StartFailure | undefined => {
    if ('error' in outcome) {
      record('child.start_failed', { id: child.spec.id, reason: serialiseReason(outcome.error) });
      return { id: child.spec.id, reason: outcome.error };
    }
    if (outcome.ok === undefined) {
      record('child.ignore', { id: child.spec.id });
      if (child.spec.restart === 'temporary') removeChild(child);
      else child.pid = undefined;
      return undefined;
    }
    child.pid = outcome.ok;
    record(restarting ? 'child.restart' : 'child.start', { id: child.spec.id, pid: outcome.ok.toString() });
    return undefined;
  };

  const removeChild = (child: ChildState): void => {
    state.children = state.children.filter((c) => c !== child);
  };

  /** terminate_children: right to left, one at a time; temporary children are dropped. */
  const terminateChildren = async (ctx: ProcessContext, list: ChildState[]): Promise<void> => {
    for (const child of [...list].reverse()) {
      if (child.pid instanceof Pid) {
        const pid = child.pid;
        const reason = await terminateChild(runtime, ctx, pid, child.spec.shutdown);
        record('child.terminate', { id: child.spec.id, pid: pid.toString(), reason: serialiseReason(reason) });
      }
      if (child.spec.restart === 'temporary') removeChild(child);
      else child.pid = undefined;
    }
  };

  /** The strategy's restart; returns the id to try again if a start failed. */
  const restartByStrategy = (ctx: ProcessContext, child: ChildState): MaybePromise<string | undefined> => {
    const { strategy } = state.flags;
    if (strategy === 'one_for_one') {
      const outcome = startOne(ctx, child);
      return andThen(outcome, (o) => restartedOne(child, o));
    }
    return restartSiblings(ctx, child, strategy);
  };

  /** one_for_one's bookkeeping after the restart of `child`: the id to retry if it failed. */
  const restartedOne = (child: ChildState, outcome: ChildStartOutcome): string | undefined => {
    if ('error' in outcome) {
      record('child.start_failed', { id: child.spec.id, reason: serialiseReason(outcome.error) });
      child.pid = 'restarting';
      return child.spec.id;
    }
    child.pid = outcome.ok;
    if (outcome.ok) record('child.restart', { id: child.spec.id, pid: outcome.ok.toString() });
    else record('child.ignore', { id: child.spec.id });
    return undefined;
  };

  /** one_for_all and rest_for_one: terminate the affected siblings, then start them again. */
  const restartSiblings = async (ctx: ProcessContext, child: ChildState, strategy: 'one_for_all' | 'rest_for_one'): Promise<string | undefined> => {
    const index = state.children.indexOf(child);
    const affected = strategy === 'one_for_all' ? state.children : state.children.slice(index);
    // OTP's del_child: the crashed child is already dead, so terminate_children skips it.
    child.pid = undefined;
    await terminateChildren(ctx, affected);
    // The crashed child is never temporary here, so it is still in the list after terminateChildren.
    const toStart = strategy === 'one_for_all' ? [...state.children] : state.children.slice(state.children.indexOf(child));
    const failed = await startChildren(ctx, toStart, true);
    if (!failed) return undefined;
    const failedChild = state.children.find((c) => c.spec.id === failed.id);
    if (failedChild) failedChild.pid = 'restarting';
    return failed.id;
  };

  /** restart/2: count the restart against intensity, then restart by strategy. */
  const restart = (ctx: ProcessContext, child: ChildState): MaybePromise<'ok' | 'shutdown'> => {
    if (!state.intensity.add(runtime.now())) {
      record('supervisor.intensity', { id: child.spec.id, intensity: state.flags.intensity, period: state.flags.period });
      if (child.spec.restart === 'temporary') removeChild(child);
      else child.pid = undefined;
      return 'shutdown';
    }
    const retry = (retryId: string | undefined): 'ok' => {
      if (retryId !== undefined) ctx.cast(ctx.self, { $retry: retryId });
      return 'ok';
    };
    const retryId = restartByStrategy(ctx, child);
    return andThen(retryId, retry);
  };

  /** A child is down and not coming back: forget it, and maybe shut down (significant children). */
  const deleteAndMaybeShutdown = (child: ChildState): 'ok' | 'shutdown' => {
    if (child.spec.restart === 'temporary') removeChild(child);
    else child.pid = undefined;
    if (!child.spec.significant) return 'ok';
    const { autoShutdown } = state.flags;
    if (autoShutdown === 'any_significant') return 'shutdown';
    if (autoShutdown === 'all_significant' && !state.children.some((c) => c.spec.significant && c.pid !== undefined)) return 'shutdown';
    return 'ok';
  };

  /** do_restart: OTP's decision by restart type and exit reason. */
  const onChildExit = (ctx: ProcessContext, child: ChildState, reason: ExitReason): MaybePromise<'ok' | 'shutdown'> => {
    // The restart type rides along so properties can judge restart decisions from the history alone.
    record('child.exit', { id: child.spec.id, pid: String(child.pid), reason: serialiseReason(reason), restart: child.spec.restart });
    const { restart: type } = child.spec;
    if (type === 'permanent') return restart(ctx, child);
    if (isNormalExit(reason) || type === 'temporary') return deleteAndMaybeShutdown(child);
    return restart(ctx, child);
  };

  const findById = (id: string): ChildState | undefined => state.children.find((c) => c.spec.id === id);

  const stopWith = (reason: ExitReason) => ({ stop: reason, state });

  /** A restart's outcome as the server takes it: carry on, or stop with `shutdown`. */
  const continueOrStop = (outcome: 'ok' | 'shutdown'): CastResult<SupState> => (outcome === 'shutdown' ? stopWith('shutdown') : { state });

  return {
    // init, handleInfo and handleCast return plain values when every start function does, so a
    // restart runs to its end within the delivery of the exit that caused it, as in OTP.
    init(_args, ctx) {
      ctx.trapExit(true);
      record('supervisor.start', {
        strategy: state.flags.strategy,
        intensity: state.flags.intensity,
        period: state.flags.period,
        children: state.children.map((c) => c.spec.id),
      });
      const initialised = (failed: StartFailure | undefined): MaybePromise<InitResult<SupState>> => {
        if (!failed) return { state };
        return terminateChildren(ctx, state.children).then(() => ({
          stop: { shutdown: { failed_to_start_child: failed.id, reason: serialiseReason(failed.reason) } },
        }));
      };
      const failed = startChildren(ctx, state.children, false);
      return andThen(failed, initialised);
    },

    handleInfo(message, _s, ctx) {
      // Everything but a child's exit is answered a turn later, as it always was: a stop asked
      // for from outside (`$stop`) keeps its place among what the asker does meanwhile.
      if (typeof message === 'object' && message !== null && '$stop' in message) {
        return Promise.resolve(stopWith((message as { $stop: ExitReason }).$stop));
      }
      if (!isExitMessage(message)) return Promise.resolve({ state });
      const child = state.children.find((c) => c.pid instanceof Pid && c.pid.equals(message.from));
      if (!child) return Promise.resolve({ state });
      const outcome = onChildExit(ctx, child, message.reason);
      return andThen(outcome, continueOrStop);
    },

    handleCast(message, _s, ctx) {
      const retryId = (message as { $retry?: string }).$retry;
      const child = retryId === undefined ? undefined : findById(retryId);
      if (child?.pid !== 'restarting') return Promise.resolve({ state });
      const outcome = restart(ctx, child);
      return andThen(outcome, continueOrStop);
    },

    async handleCall(request: SupCall, _from, _s, ctx) {
      const reply = (value: CallReply<unknown>) => ({ reply: value, state });
      const error = (code: 'CHILD_NOT_FOUND' | 'CHILD_RUNNING' | 'CHILD_RESTARTING' | 'START_FAILED', message: string) =>
        reply({ error: new QuiesceError(code, message) });
      // OTP answers {error, restarting} for a child whose failed restart waits to be retried, {error, running} otherwise.
      const notStopped = (op: string, child: ChildState) =>
        child.pid === 'restarting'
          ? error('CHILD_RESTARTING', `${op}: child ${JSON.stringify(child.spec.id)} is restarting (a failed restart is waiting to be retried)`)
          : error('CHILD_RUNNING', `${op}: child ${JSON.stringify(child.spec.id)} is running`);
      switch (request.op) {
        case 'start_child': {
          let spec: NormalisedChildSpec;
          try {
            const raw = request.spec;
            spec = normaliseChildSpec(isSupervisorSpec(raw) ? nested.asChild(raw, 'startChild') : raw, 'startChild', state.flags.autoShutdown);
          } catch (e) {
            return reply({ error: e as QuiesceError });
          }
          if (findById(spec.id))
            return reply({
              error: new QuiesceError('DUPLICATE_CHILD_ID', `startChild: a child with id ${JSON.stringify(spec.id)} already exists`, { id: spec.id }),
            });
          const child = childState(state.label, spec);
          const outcome = await startOne(ctx, child);
          if ('error' in outcome) {
            record('child.start_failed', { id: spec.id, reason: serialiseReason(outcome.error) });
            return error('START_FAILED', `startChild(${spec.id}) failed: ${JSON.stringify(serialiseReason(outcome.error))}`);
          }
          if (outcome.ok === undefined && spec.restart === 'temporary') return reply({ ok: undefined });
          child.pid = outcome.ok;
          state.children.push(child);
          if (outcome.ok) record('child.start', { id: spec.id, pid: outcome.ok.toString() });
          return reply({ ok: outcome.ok });
        }
        case 'terminate_child': {
          const child = findById(request.id);
          if (!child) return error('CHILD_NOT_FOUND', `terminateChild: no child ${JSON.stringify(request.id)}`);
          await terminateChildren(ctx, [child]);
          return reply({ ok: undefined });
        }
        case 'restart_child': {
          const child = findById(request.id);
          if (!child) return error('CHILD_NOT_FOUND', `restartChild: no child ${JSON.stringify(request.id)}`);
          if (child.pid !== undefined) return notStopped('restartChild', child);
          const outcome = await startOne(ctx, child);
          if ('error' in outcome) return error('START_FAILED', `restartChild(${request.id}) failed: ${JSON.stringify(serialiseReason(outcome.error))}`);
          child.pid = outcome.ok;
          if (outcome.ok) record('child.restart', { id: child.spec.id, pid: outcome.ok.toString() });
          return reply({ ok: outcome.ok });
        }
        case 'delete_child': {
          const child = findById(request.id);
          if (!child) return error('CHILD_NOT_FOUND', `deleteChild: no child ${JSON.stringify(request.id)}`);
          if (child.pid !== undefined) return notStopped('deleteChild', child);
          removeChild(child);
          return reply({ ok: undefined });
        }
      }
    },

    async terminate(reason, _s, ctx) {
      await terminateChildren(ctx, state.children);
      record('supervisor.shutdown', { reason: serialiseReason(reason) });
    },
  };
}
