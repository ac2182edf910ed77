/**
 * Runs a supervisor scenario (scenario.ts) on @quiesce/runtime and returns the same trace lines
 * the OTP oracle prints, so the two can be compared line for line. The instrumentation mirrors
 * the escript's: a worker records `start` when it is spawned (its init), a supervisor records
 * `start` when its start returns (after its children), `down` comes from the history as each
 * tracked process exits, start failures are recorded by the start functions.
 */
import { Pid, Runtime, supervisor, type ChildSpec, type ExitReason, type SupervisorSpec } from '@quiesce/runtime';
import { startSupervisorOutcome } from '@quiesce/runtime/internal';
import { formatAtom, type CrashReason, type Scenario, type SupNode, type WorkerNode } from './scenario.js';

/** Erlang `~w` for the reasons the runtime produces in these scenarios. */
export function formatRuntimeReason(reason: unknown): string {
  if (typeof reason === 'string') return formatAtom(reason);
  if (typeof reason === 'object' && reason !== null) {
    const r = reason as Record<string, unknown>;
    if ('failed_to_start_child' in r) return `{failed_to_start_child,${formatAtom(String(r.failed_to_start_child))},${formatRuntimeReason(r.reason)}}`;
    if ('shutdown' in r && Object.keys(r).length === 1) return `{shutdown,${formatRuntimeReason(r.shutdown)}}`;
  }
  return JSON.stringify(reason);
}

function toExitReason(reason: CrashReason): ExitReason {
  return typeof reason === 'string' ? reason : { shutdown: reason.shutdown };
}

export async function runOnRuntime(scenario: Scenario): Promise<string[]> {
  const rt = new Runtime({ clock: 'virtual' });
  const trace: string[] = [];
  /** path -> live pid of the process there. */
  const live = new Map<string, Pid>();
  const pathOf = new Map<string, string>(); // pid string -> path
  const startCounts = new Map<string, number>();

  const stopRecording = rt.history.subscribe((event) => {
    if (event.kind !== 'process.exit') return;
    const pid = (event.data as { pid: string }).pid;
    const path = pathOf.get(pid);
    if (path === undefined) return;
    pathOf.delete(pid);
    if (live.get(path)?.toString() === pid) live.delete(path);
    trace.push(`down ${path} ${formatRuntimeReason((event.data as { reason: unknown }).reason)}`);
  });

  const track = (path: string, pid: Pid): void => {
    live.set(path, pid);
    pathOf.set(pid.toString(), path);
  };

  const workerSpec = (node: WorkerNode, path: string): ChildSpec => ({
    id: node.id,
    restart: node.restart,
    shutdown: node.shutdown,
    significant: node.significant,
    start: (ctx) => {
      const attempt = startCounts.get(path) ?? 0;
      startCounts.set(path, attempt + 1);
      const outcome = node.starts[attempt] ?? 'ok';
      if (outcome === 'ignore') {
        trace.push(`ignore ${path}`);
        return 'ignore';
      }
      if (outcome === 'error') {
        trace.push(`start_error ${path}`);
        return { error: 'start_failed' };
      }
      return ctx.spawn(
        (message, self) => {
          const crash = (message as { crash?: CrashReason }).crash;
          if (crash !== undefined) self.exit(toExitReason(crash));
        },
        {
          init: (self) => {
            track(path, self.self);
            trace.push(`start ${path}`);
          },
        },
      );
    },
  });

  const supSpec = (node: SupNode, path: string): SupervisorSpec =>
    supervisor({
      id: node.id,
      strategy: node.strategy,
      intensity: node.intensity,
      period: node.period,
      autoShutdown: node.autoShutdown,
      children: node.children.map((child) => {
        const childPath = `${path}/${child.id}`;
        return child.kind === 'worker' ? workerSpec(child, childPath) : nestedSupChild(child, childPath);
      }),
    });

  const startSup = async (node: SupNode, path: string, link: Pid): Promise<Pid | { error: unknown }> => {
    const outcome = await startSupervisorOutcome(rt, supSpec(node, path), { link, label: path });
    if ('error' in outcome) {
      trace.push(`start_failed ${path} ${formatRuntimeReason(outcome.error)}`);
      return { error: outcome.error };
    }
    track(path, outcome.ok.pid);
    trace.push(`start ${path}`);
    return outcome.ok.pid;
  };

  const nestedSupChild = (node: SupNode, path: string): ChildSpec => ({
    id: node.id,
    type: 'supervisor',
    restart: node.restart,
    shutdown: node.shutdown,
    significant: node.significant,
    start: (ctx) => startSup(node, path, ctx.parent),
  });

  // The driver is the root's parent (as in the escript): it traps exits and ignores them.
  const driver = rt.spawn(() => undefined, { trapExit: true, label: 'driver' });
  const root = await startSup(scenario.root, 'root', driver);
  if (root instanceof Pid) {
    for (const step of scenario.steps) {
      if (!rt.isAlive(root)) break;
      if ('wait' in step) {
        await rt.advance(step.wait * 1000);
        continue;
      }
      const target = live.get(step.crash);
      if (!target || !rt.isAlive(target)) {
        trace.push(`noproc ${step.crash}`);
        continue;
      }
      const isSup = step.crash === 'root' || isSupervisorPath(scenario.root, step.crash);
      if (step.reason === 'kill') rt.exit(target, 'kill', driver);
      else if (isSup) rt.exit(target, toExitReason(step.reason), driver);
      else rt.send(target, { crash: step.reason });
      await rt.idle();
    }
  }
  stopRecording(); // the oracle does not record the final teardown either
  await rt.shutdown();
  return trace;
}

function isSupervisorPath(root: SupNode, path: string): boolean {
  const parts = path.split('/').slice(1);
  let node: SupNode | WorkerNode = root;
  for (const id of parts) {
    if (node.kind !== 'sup') return false;
    const next: SupNode | WorkerNode | undefined = node.children.find((c) => c.id === id);
    if (!next) return false;
    node = next;
  }
  return node.kind === 'sup';
}
