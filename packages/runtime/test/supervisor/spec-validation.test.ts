import { describe, expect, test } from 'vitest';
import { QuiesceError, startSupervisor, supervisor, worker, type ChildSpec, type SupervisorSpec } from '@quiesce/runtime';
import { validateSupervisorSpec } from '@quiesce/runtime/internal';
import { crashable, rejection, vrt } from '../support/helpers.js';

/** A child spec whose start function records that it ran: a rejected spec must start nothing. */
function probe(started: string[], id: string, extra: Partial<ChildSpec> = {}): ChildSpec {
  const start = crashable();
  return {
    id,
    start: (ctx) => {
      started.push(id);
      return start(ctx);
    },
    ...extra,
  };
}

type Case = [name: string, build: (started: string[]) => unknown, code: 'INVALID_CHILD_SPEC' | 'DUPLICATE_CHILD_ID', field: string, value: string];

const cases: Case[] = [
  ['duplicate ids', (s) => supervisor({ children: [probe(s, 'a'), probe(s, 'b'), probe(s, 'a')] }), 'DUPLICATE_CHILD_ID', 'supervisor.children', '"a"'],
  [
    'unknown strategy',
    (s) => supervisor({ strategy: 'one_for_some' as never, children: [probe(s, 'a')] }),
    'INVALID_CHILD_SPEC',
    'supervisor.strategy',
    '"one_for_some"',
  ],
  ['negative intensity', (s) => supervisor({ intensity: -1, children: [probe(s, 'a')] }), 'INVALID_CHILD_SPEC', 'supervisor.intensity', '-1'],
  ['fractional intensity', (s) => supervisor({ intensity: 1.5, children: [probe(s, 'a')] }), 'INVALID_CHILD_SPEC', 'supervisor.intensity', '1.5'],
  ['string intensity', (s) => supervisor({ intensity: '3' as never, children: [probe(s, 'a')] }), 'INVALID_CHILD_SPEC', 'supervisor.intensity', '"3"'],
  ['zero period', (s) => supervisor({ period: 0, children: [probe(s, 'a')] }), 'INVALID_CHILD_SPEC', 'supervisor.period', '0'],
  ['NaN period', (s) => supervisor({ period: Number.NaN, children: [probe(s, 'a')] }), 'INVALID_CHILD_SPEC', 'supervisor.period', 'NaN'],
  [
    'unknown autoShutdown',
    (s) => supervisor({ autoShutdown: 'sometimes' as never, children: [probe(s, 'a')] }),
    'INVALID_CHILD_SPEC',
    'supervisor.autoShutdown',
    '"sometimes"',
  ],
  ['children not an array', () => supervisor({ children: 'a,b' as never }), 'INVALID_CHILD_SPEC', 'supervisor.children', '"a,b"'],
  ['not built with supervisor()', (s) => ({ children: [probe(s, 'a')] }), 'INVALID_CHILD_SPEC', 'supervisor', '{"children":[{"id":"a"}]}'],
  ['child null', (s) => supervisor({ children: [probe(s, 'a'), null as never] }), 'INVALID_CHILD_SPEC', 'supervisor.children[1]', 'null'],
  [
    'child id missing',
    (s) => supervisor({ children: [probe(s, 'a'), { start: crashable() } as never] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1].id',
    'undefined',
  ],
  ['child id empty', (s) => supervisor({ children: [probe(s, 'a'), { id: '', start: crashable() }] }), 'INVALID_CHILD_SPEC', 'supervisor.children[1].id', '""'],
  [
    'child id with a slash',
    (s) => supervisor({ children: [probe(s, 'a'), { id: 'x/y', start: crashable() }] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1].id',
    '"x/y"',
  ],
  [
    'child id a number',
    (s) => supervisor({ children: [probe(s, 'a'), { id: 7 as never, start: crashable() }] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1].id',
    '7',
  ],
  [
    'non-function start',
    (s) => supervisor({ children: [probe(s, 'a'), { id: 'b', start: 'spawn me' as never }] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1](b).start',
    '"spawn me"',
  ],
  [
    'unknown restart',
    (s) => supervisor({ children: [probe(s, 'a'), probe(s, 'b', { restart: 'always' as never })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1](b).restart',
    '"always"',
  ],
  [
    'unknown type',
    (s) => supervisor({ children: [probe(s, 'b', { type: 'daemon' as never })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](b).type',
    '"daemon"',
  ],
  ['negative shutdown', (s) => supervisor({ children: [probe(s, 'b', { shutdown: -1 })] }), 'INVALID_CHILD_SPEC', 'supervisor.children[0](b).shutdown', '-1'],
  [
    'fractional shutdown',
    (s) => supervisor({ children: [probe(s, 'b', { shutdown: 2.5 })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](b).shutdown',
    '2.5',
  ],
  [
    'infinite shutdown number',
    (s) => supervisor({ children: [probe(s, 'b', { shutdown: Number.POSITIVE_INFINITY })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](b).shutdown',
    'Infinity',
  ],
  [
    'unknown shutdown word',
    (s) => supervisor({ children: [probe(s, 'b', { shutdown: 'kill' as never })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](b).shutdown',
    '"kill"',
  ],
  [
    'significant not boolean',
    (s) => supervisor({ autoShutdown: 'any_significant', children: [probe(s, 'b', { restart: 'transient', significant: 'yes' as never })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](b).significant',
    '"yes"',
  ],
  [
    'permanent + significant',
    (s) => supervisor({ autoShutdown: 'any_significant', children: [probe(s, 'a'), probe(s, 'b', { significant: true })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1](b).significant',
    'true',
  ],
  [
    'significant under autoShutdown never',
    (s) => supervisor({ children: [probe(s, 'b', { restart: 'transient', significant: true })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](b).significant',
    'true',
  ],
  [
    'nested supervisor without an id',
    (s) => supervisor({ children: [probe(s, 'a'), supervisor({ children: [probe(s, 'x')] })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1].id',
    'undefined',
  ],
  [
    'nested supervisor with a bad strategy',
    (s) => supervisor({ children: [probe(s, 'a'), supervisor({ id: 'inner', strategy: 'nope' as never, children: [probe(s, 'x')] })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[1](inner).strategy',
    '"nope"',
  ],
  [
    'nested supervisor with duplicate ids',
    (s) => supervisor({ children: [probe(s, 'a'), supervisor({ id: 'inner', children: [probe(s, 'x'), probe(s, 'x')] })] }),
    'DUPLICATE_CHILD_ID',
    'supervisor.children[1](inner).children',
    '"x"',
  ],
  [
    'nested permanent significant supervisor',
    (s) => supervisor({ autoShutdown: 'any_significant', children: [supervisor({ id: 'inner', significant: true, children: [probe(s, 'x')] })] }),
    'INVALID_CHILD_SPEC',
    'supervisor.children[0](inner).significant',
    'true',
  ],
  [
    'a nested supervisor id equal to a sibling',
    (s) => supervisor({ children: [probe(s, 'a'), supervisor({ id: 'a', children: [] })] }),
    'DUPLICATE_CHILD_ID',
    'supervisor.children',
    '"a"',
  ],
];

describe('invalid supervisor specs', () => {
  test.each(cases)('%s: rejected with the code and a message naming field and value; nothing starts', async (_name, build, code, field, value) => {
    const rt = vrt();
    const started: string[] = [];
    const spec = build(started) as SupervisorSpec;
    const error = (await rejection(startSupervisor(rt, spec))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe(code);
    expect(error.message).toContain(field);
    expect(error.message).toContain(value);
    if (code === 'INVALID_CHILD_SPEC') {
      expect(error.message.startsWith(`${field}: got ${value}`)).toBe(true);
      expect(error.message).toMatch(/; expected .+/);
      expect(error.details).toMatchObject({ option: field });
    }
    // The same spec is rejected synchronously by validateSupervisorSpec.
    expect(() => validateSupervisorSpec(spec)).toThrow(QuiesceError);
    await rt.idle();
    expect(started).toEqual([]);
    expect(rt.processes()).toEqual([]);
    expect(rt.history.ofKind('process.spawn')).toEqual([]);
    expect(rt.history.length).toBe(0);
  });

  test('a sparse children array is rejected, not crashed on', async () => {
    const rt = vrt();
    // eslint-disable-next-line no-sparse-arrays
    const children = [worker('a', crashable()), undefined, worker('c', crashable())] as ChildSpec[];
    const error = (await rejection(startSupervisor(rt, supervisor({ children })))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('INVALID_CHILD_SPEC');
    expect(error.message).toContain('supervisor.children[1]');
    expect(rt.processes()).toEqual([]);
  });

  test.each([null, 'pool', 5])('supervisor options %s are rejected with INVALID_OPTION and nothing starts', async (options) => {
    const rt = vrt();
    const started: string[] = [];
    const error = (await rejection(startSupervisor(rt, supervisor({ children: [probe(started, 'a')] }), options as never))) as QuiesceError;
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain('supervisor options');
    expect(started).toEqual([]);
    expect(rt.processes()).toEqual([]);
  });

  test.each([
    ['name', { name: '' }],
    ['label', { label: 42 }],
    ['link', { link: 'parent' }],
  ])('a bad %s option is rejected with INVALID_OPTION naming it and nothing starts', async (field, options) => {
    const rt = vrt();
    const started: string[] = [];
    const error = (await rejection(startSupervisor(rt, supervisor({ children: [probe(started, 'a')] }), options as never))) as QuiesceError;
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message.startsWith(`${field}: got`)).toBe(true);
    expect(started).toEqual([]);
    expect(rt.processes()).toEqual([]);
  });
});

describe('valid specs', () => {
  test('validateSupervisorSpec normalises defaults (OTP: worker shutdown 5000, supervisor infinity)', () => {
    const start = crashable();
    const { flags, children } = validateSupervisorSpec(
      supervisor({
        children: [worker('w', start), supervisor({ id: 'sub', children: [] }), worker('x', start, { restart: 'transient', shutdown: 'brutal_kill' })],
      }),
    );
    expect(flags).toEqual({ strategy: 'one_for_one', intensity: 1, period: 5, autoShutdown: 'never' });
    expect(children.map(({ id, restart, shutdown, type, significant }) => ({ id, restart, shutdown, type, significant }))).toEqual([
      { id: 'w', restart: 'permanent', shutdown: 5000, type: 'worker', significant: false },
      { id: 'sub', restart: 'permanent', shutdown: 'infinity', type: 'supervisor', significant: false },
      { id: 'x', restart: 'transient', shutdown: 'brutal_kill', type: 'worker', significant: false },
    ]);
  });

  test('a supervisor with no children starts and stops', async () => {
    const rt = vrt();
    const sup = await startSupervisor(rt, supervisor({ children: [] }));
    expect(sup.whichChildren()).toEqual([]);
    await sup.stop();
    expect(rt.processes()).toEqual([]);
  });
});
