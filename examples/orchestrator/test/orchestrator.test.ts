import { type TestSystem, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';
import { type ComputeEvent, MockProvider, Orchestrator, type Provider, ProviderError } from '../src/index.js';
import { httpProviderFor, mswServer } from './support/msw.js';

const server = mswServer();

/** A fresh orchestrator per test: its own registry, a dynamic supervisor linked to the test, its own pub-sub. */
async function startOrchestrator<P extends Provider = MockProvider>(system: TestSystem, given?: P) {
  const provider = (given ?? new MockProvider()) as P;
  const supervisor = await system.startDynamic({ maxChildren: 4 });
  const orchestrator = await Orchestrator.start(system.runtime, { provider, supervisor, pollInterval: 1_000 });
  return { orchestrator, provider, supervisor };
}

describe('orchestrator', () => {
  test('a spawned compute is registered, tracked and announced to subscribers', async ({ system, inbox }) => {
    const { orchestrator } = await startOrchestrator(system);
    orchestrator.subscribe(inbox.pid);

    const compute = await orchestrator.spawn({ gpu: 'h100', image: 'ubuntu:22.04' });

    await inbox.receive({ type: 'compute.spawned', id: compute.id, gpu: 'h100', status: 'running' });
    expect(orchestrator.computes()).toEqual([compute.id]);
    expect(orchestrator.registry.lookup(compute.id)?.value).toEqual({ gpu: 'h100', image: 'ubuntu:22.04' });
  });

  test('a compute that fails at the provider is reported and its tracker exits normally', async ({ system, inbox }) => {
    const { orchestrator, provider } = await startOrchestrator(system);
    orchestrator.subscribe(inbox.pid);
    const compute = await orchestrator.spawn({ gpu: 'a100', image: 'trainer:1' });
    const tracker = orchestrator.trackerOf(compute.id)!;
    const exit = system.monitor(tracker); // monitored before the cause: the exit cannot be missed

    provider.setStatus(compute.id, 'failed');

    // The next poll is 1 s away on the virtual clock: the wait moves the clock there at once.
    await inbox.receive({ type: 'compute.status', id: compute.id, from: 'running', status: 'failed' });
    expect(await exit).toBe('normal');
    expect(system.now()).toBe(1_000);
    expect(orchestrator.computes()).toEqual([]);
  });

  test('terminate goes through the tracker: the provider confirms, subscribers hear it, the tracker is gone', async ({ system, inbox }) => {
    const { orchestrator, provider } = await startOrchestrator(system);
    orchestrator.subscribe(inbox.pid);
    const compute = await orchestrator.spawn({ gpu: 'a4000', image: 'x' });
    const exit = system.monitor(orchestrator.trackerOf(compute.id)!);

    await orchestrator.terminate(compute.id);

    expect(await exit).toBe('normal');
    await inbox.receive({ type: 'compute.terminated', id: compute.id });
    expect(await provider.getStatus(compute.id)).toBe('terminated');
    await expect(orchestrator.terminate(compute.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('a tracker that crashes is restarted by the dynamic supervisor and takes its key back', async ({ system }) => {
    const { orchestrator } = await startOrchestrator(system);
    const compute = await orchestrator.spawn({ gpu: 'h100', image: 'x' });
    const first = orchestrator.trackerOf(compute.id)!;
    const exit = system.monitor(first);
    const mark = system.mark(); // the restart may be done before the wait below starts: count from here

    system.kill(first, 'boom');

    expect(await exit).toBe('boom');
    await system.until({ kind: 'child.restart', data: { id: compute.id } }, { since: mark });
    const second = orchestrator.trackerOf(compute.id);
    expect(second).toBeDefined();
    expect(second).not.toEqual(first);
  });

  test('every subscriber hears every event, in the order the tracker sent them', async ({ system, inbox }) => {
    const { orchestrator, provider } = await startOrchestrator(system);
    const heard: ComputeEvent[] = [];
    const other = system.runtime.spawn((message) => void heard.push(message as ComputeEvent), { label: 'second subscriber' });
    orchestrator.subscribe(inbox.pid);
    orchestrator.subscribe(other);
    const compute = await orchestrator.spawn({ gpu: 'h100', image: 'x' });
    provider.setStatus(compute.id, 'provisioning');
    await inbox.receive({ type: 'compute.status', status: 'provisioning' });
    provider.setStatus(compute.id, 'terminated');
    await inbox.receive({ type: 'compute.status', from: 'provisioning', status: 'terminated' });

    await system.sync(other); // everything already sent to it has been handled: no wait on time
    expect(heard.map((e) => (e.type === 'compute.status' ? e.status : e.type))).toEqual(['compute.spawned', 'provisioning', 'terminated']);
  });

  test('bad input: an unknown GPU is refused before anything is spawned or tracked', async ({ system, inbox }) => {
    const { orchestrator } = await startOrchestrator(system);
    orchestrator.subscribe(inbox.pid);
    const kept = await orchestrator.spawn({ gpu: 'h100', image: 'x' });
    await inbox.receive({ type: 'compute.spawned', id: kept.id });

    const error = await orchestrator.spawn({ gpu: 'b200', image: 'x' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe('spawn request.gpu: got "b200"; expected one of h100, a100, a4000');
    await inbox.refute({ type: 'compute.spawned' }); // decided without a fixed wait
    expect(orchestrator.computes()).toEqual([kept.id]); // what was acknowledged before is still there
    await expect(Orchestrator.start(system.runtime, { provider: new MockProvider(), pollInterval: 0 })).rejects.toThrow('pollInterval: got 0');
  });

  test('at its limit the supervisor refuses a tracker, and the compute just spawned is terminated, not left running', async ({ system }) => {
    const provider = new MockProvider();
    const supervisor = await system.startDynamic({ maxChildren: 1 });
    const orchestrator = await Orchestrator.start(system.runtime, { provider, supervisor });
    await orchestrator.spawn({ gpu: 'h100', image: 'x' });

    await expect(orchestrator.spawn({ gpu: 'h100', image: 'y' })).rejects.toMatchObject({ code: 'MAX_CHILDREN' });

    expect(await provider.getStatus('mock-pod-2')).toBe('terminated');
    expect(orchestrator.computes()).toEqual(['mock-pod-1']);
  });

  test('over HTTP (msw): an outage is reported once, polling goes on, and the compute is tracked again after', async ({ system, inbox }) => {
    const { provider, api } = httpProviderFor(server, system);
    const { orchestrator } = await startOrchestrator(system, provider);
    orchestrator.subscribe(inbox.pid);
    const compute = await orchestrator.spawn({ gpu: 'h100', image: 'x' });
    const pod = api.pods.get(compute.id)!;

    const events: ComputeEvent[] = [];
    pod.desiredStatus = 'BROKEN'; // an answer the provider refuses as UNAVAILABLE
    events.push(await inbox.receive({ type: 'compute.unreachable', id: compute.id }));
    await system.advance(2_000); // two more polls, still broken: said once only
    await inbox.refute({ type: 'compute.unreachable' });
    pod.desiredStatus = 'EXITED';
    events.push(await inbox.receive({ type: 'compute.status', id: compute.id }));
    expect(events.map((e) => e.type)).toEqual(['compute.unreachable', 'compute.status']);
    expect(events[1]).toMatchObject({ from: 'running', status: 'terminated' });
  });
});
