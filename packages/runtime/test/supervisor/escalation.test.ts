import { describe, expect, test } from 'vitest';
import { startSupervisor, supervisor, type Pid, type Runtime, type SupervisorRef } from '@quiesce/runtime';
import { child, ofKind, trace, vrt } from '../support/helpers.js';

async function crashLeaf(rt: Runtime, root: SupervisorRef) {
  const leaf: Pid = root.supervisor('inner')!.child('w')!;
  rt.send(leaf, { crash: 'boom' });
  await rt.idle();
}

describe('escalation', () => {
  test("a nested supervisor's shutdown is a child exit for its parent, counted against the parent's intensity", async () => {
    const rt = vrt();
    const root = await startSupervisor(
      rt,
      supervisor({ id: 'root', intensity: 1, period: 5, children: [child('sibling'), supervisor({ id: 'inner', intensity: 0, children: [child('w')] })] }),
    );
    const firstInner = root.child('inner')!;
    await crashLeaf(rt, root);
    // inner gave up (intensity 0) and shut down; root restarted it (1 restart: within intensity).
    expect(rt.exitReason(firstInner)).toBe('shutdown');
    expect(root.isAlive()).toBe(true);
    expect(root.child('inner')).not.toEqual(firstInner);
    expect(ofKind(rt, 'supervisor.intensity').map((e) => e.source)).toEqual(['root/inner']);
    expect(
      ofKind(rt, 'child.exit').map((e) => `${e.source} ${(e.data as { id: string }).id} ${JSON.stringify((e.data as { reason: unknown }).reason)}`),
    ).toEqual(['root/inner w "boom"', 'root inner "shutdown"']);
    const sibling = root.child('sibling')!;
    await crashLeaf(rt, root);
    // Second escalation within 5 s: root's own intensity (1) is exceeded.
    expect(root.isAlive()).toBe(false);
    expect(rt.exitReason(root.pid)).toBe('shutdown');
    expect(rt.exitReason(sibling)).toBe('shutdown');
    expect(ofKind(rt, 'supervisor.intensity').map((e) => e.source)).toEqual(['root/inner', 'root/inner', 'root']);
    expect(rt.processes()).toEqual([]);
  });

  test('escalations further apart than the parent period are each allowed', async () => {
    const rt = vrt();
    const root = await startSupervisor(
      rt,
      supervisor({ id: 'root', intensity: 1, period: 5, children: [supervisor({ id: 'inner', intensity: 0, children: [child('w')] })] }),
    );
    await crashLeaf(rt, root);
    await rt.advance(6000);
    await crashLeaf(rt, root);
    expect(root.isAlive()).toBe(true);
    expect(trace(rt, ['child.restart']).filter((l) => l === 'child.restart inner')).toHaveLength(2);
  });

  test('a transient nested supervisor that shuts down is not restarted (shutdown is a normal exit)', async () => {
    const rt = vrt();
    const root = await startSupervisor(
      rt,
      supervisor({
        id: 'root',
        intensity: 0,
        children: [child('other'), supervisor({ id: 'inner', restart: 'transient', intensity: 0, children: [child('w')] })],
      }),
    );
    await crashLeaf(rt, root);
    expect(root.isAlive()).toBe(true);
    expect(root.whichChildren().map((c) => [c.id, c.pid === undefined, c.type])).toEqual([
      ['other', false, 'worker'],
      ['inner', true, 'supervisor'],
    ]);
    expect(root.countChildren()).toEqual({ specs: 2, active: 1, supervisors: 1, workers: 1 });
  });

  test('the root escalates to the process it is linked to', async () => {
    const rt = vrt();
    const inbox: unknown[] = [];
    const parent = rt.spawn((m) => void inbox.push(m), { trapExit: true });
    const root = await startSupervisor(rt, supervisor({ id: 'root', intensity: 0, children: [child('w')] }), { link: parent });
    rt.send(root.child('w')!, { crash: 'boom' });
    await rt.idle();
    expect(inbox).toEqual([{ type: 'EXIT', from: root.pid, reason: 'shutdown' }]);
  });

  test('three levels: the leaf crash escalates twice and the middle restarts count against the root', async () => {
    const rt = vrt();
    const root = await startSupervisor(
      rt,
      supervisor({
        id: 'root',
        intensity: 0,
        children: [supervisor({ id: 'mid', intensity: 0, children: [supervisor({ id: 'inner', intensity: 0, children: [child('w')] })] })],
      }),
    );
    const leaf = root.supervisor('mid')!.supervisor('inner')!.child('w')!;
    rt.send(leaf, { crash: 'boom' });
    await rt.idle();
    expect(ofKind(rt, 'supervisor.intensity').map((e) => e.source)).toEqual(['root/mid/inner', 'root/mid', 'root']);
    expect(rt.processes()).toEqual([]);
  });
});
