import { expect, test } from 'vitest';
import { InvalidOptionError, type Runtime, osProcess, workerThread, type QuiesceError } from '@quiesce/runtime';
import { spawnOsProcess, spawnWorkerThread } from '@quiesce/runtime/internal';
import { fixture, node, thrown, world } from './support.js';

// Bad input throws a QuiesceError at once, naming the option, the value and what is accepted,
// and nothing is started: no process in the runtime, no event in its history.

const nodeOk = node('os-ready.mjs');
const workerOk = { filename: fixture('worker-echo.mjs') };

function expectRejected(rt: Runtime, fn: () => unknown, option: string, accepted: RegExp, code = 'INVALID_OPTION'): void {
  const before = rt.history.length;
  const error = thrown(fn) as QuiesceError;
  expect(error).toBeInstanceOf(InvalidOptionError);
  expect(error.code).toBe(code);
  expect(error.message.startsWith(`${option}: got `)).toBe(true);
  expect(error.details.option).toBe(option);
  expect(String(error.details.accepted)).toMatch(accepted);
  expect(rt.processes()).toEqual([]);
  expect(rt.history.length).toBe(before);
}

test.each([
  ['command', { command: '' }, 'spawnOsProcess.command', /non-empty string/],
  ['command', { command: 42 }, 'spawnOsProcess.command', /non-empty string/],
  ['args', { ...nodeOk, args: 'a b' }, 'spawnOsProcess.args', /array of strings/],
  ['args', { ...nodeOk, args: [1] }, 'spawnOsProcess.args', /array of strings/],
  ['cwd', { ...nodeOk, cwd: '' }, 'spawnOsProcess.cwd', /directory path/],
  ['env', { ...nodeOk, env: 'A=1' }, 'spawnOsProcess.env', /options object/],
  ['env value', { ...nodeOk, env: { A: 1 } }, 'spawnOsProcess.env.A', /a string/],
  ['ready', { ...nodeOk, ready: 'ready' }, 'spawnOsProcess.ready', /RegExp or a function/],
  ['readyTimeout', { ...nodeOk, ready: /r/, readyTimeout: 0 }, 'spawnOsProcess.readyTimeout', /> 0/],
  ['readyTimeout', { ...nodeOk, ready: /r/, readyTimeout: Infinity }, 'spawnOsProcess.readyTimeout', /finite/],
  ['readyTimeout without ready', { ...nodeOk, readyTimeout: 100 }, 'spawnOsProcess.readyTimeout', /only together with ready/],
  ['stdoutLines', { ...nodeOk, stdoutLines: 'yes' }, 'spawnOsProcess.stdoutLines', /boolean/],
  ['an unknown key', { ...nodeOk, readyTimout: 100 }, 'spawnOsProcess.readyTimout', /accepts 'command', 'args'/],
  ['child fields', { ...nodeOk, shutdown: 100 }, 'spawnOsProcess.shutdown', /no such option/],
])('spawnOsProcess rejects a bad %s', (_what, options, option, accepted) => {
  const rt = world();
  expectRejected(rt, () => spawnOsProcess(rt, options as never), option, accepted);
});

test('spawnOsProcess rejects bad call arguments', () => {
  const rt = world();
  expectRejected(rt, () => spawnOsProcess({} as never, nodeOk), 'spawnOsProcess(runtime)', /a Runtime/);
  expectRejected(rt, () => spawnOsProcess(rt, null as never), 'spawnOsProcess options', /options object/);
  expectRejected(rt, () => spawnOsProcess(rt, nodeOk, [] as never), 'spawnOsProcess spawn options', /options object/);
  expectRejected(rt, () => spawnOsProcess(rt, nodeOk, { link: 'me' as never }), 'spawnOsProcess.link', /a Pid/);
  expectRejected(rt, () => spawnOsProcess(rt, nodeOk, { label: '' }), 'spawnOsProcess.label', /non-empty string/);
  expectRejected(rt, () => spawnOsProcess(rt, nodeOk, { name: 'x' } as never), 'spawnOsProcess.name', /accepts 'link', 'label'/);
});

test('osProcess validates its id, its options and the child-spec fields when the spec is written', () => {
  const rt = world();
  expectRejected(rt, () => osProcess('', nodeOk), 'osProcess id', /without "\/"/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => osProcess('a/b', nodeOk), 'osProcess id', /without "\/"/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => osProcess('web', undefined as never), 'osProcess("web")', /options object/);
  expectRejected(rt, () => osProcess('web', { ...nodeOk, shutdown: -1 }), 'osProcess("web").shutdown', /brutal_kill/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => osProcess('web', { ...nodeOk, shutdown: 'never' as never }), 'osProcess("web").shutdown', /brutal_kill/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => osProcess('web', { ...nodeOk, restart: 'always' as never }), 'osProcess("web").restart', /transient/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => osProcess('web', { ...nodeOk, significant: 1 as never }), 'osProcess("web").significant', /boolean/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => osProcess('web', { ...nodeOk, cwd: 7 as never }), 'osProcess("web").cwd', /directory path/);
  expectRejected(rt, () => osProcess('web', { ...nodeOk, stdin: 'pipe' } as never), 'osProcess("web").stdin', /accepts '/);
});

test.each([
  ['neither filename nor url', {}, 'spawnWorkerThread.filename/url', /exactly one of filename/],
  ['both filename and url', { ...workerOk, url: 'file:///x.mjs' }, 'spawnWorkerThread.filename/url', /exactly one of filename/],
  ['filename', { filename: '' }, 'spawnWorkerThread.filename', /a path/],
  ['filename', { filename: 3 }, 'spawnWorkerThread.filename', /a path/],
  ['url', { url: 'not a url' }, 'spawnWorkerThread.url', /file: or data: URL/],
  ['url protocol', { url: 'https://example.com/w.mjs' }, 'spawnWorkerThread.url', /file: or data: URL/],
  ['url object protocol', { url: new URL('http://example.com/w.mjs') }, 'spawnWorkerThread.url', /file: or data: URL/],
  ['url type', { url: 5 }, 'spawnWorkerThread.url', /file: or data: URL/],
  ['ready', { ...workerOk, ready: /ready/ }, 'spawnWorkerThread.ready', /a function/],
  ['readyTimeout', { ...workerOk, ready: () => true, readyTimeout: -5 }, 'spawnWorkerThread.readyTimeout', /> 0/],
  ['readyTimeout without ready', { ...workerOk, readyTimeout: 5 }, 'spawnWorkerThread.readyTimeout', /only together with ready/],
  ['forwardTo', { ...workerOk, forwardTo: '<0.1>' }, 'spawnWorkerThread.forwardTo', /a Pid/],
  ['an unknown key', { ...workerOk, argv: [] }, 'spawnWorkerThread.argv', /accepts 'filename', 'url'/],
])('spawnWorkerThread rejects %s', (_what, options, option, accepted) => {
  const rt = world();
  expectRejected(rt, () => spawnWorkerThread(rt, options as never), option, accepted);
});

test('spawnWorkerThread rejects bad call arguments; workerThread validates when the spec is written', () => {
  const rt = world();
  expectRejected(rt, () => spawnWorkerThread(undefined as never, workerOk), 'spawnWorkerThread(runtime)', /a Runtime/);
  expectRejected(rt, () => spawnWorkerThread(rt, 'w.mjs' as never), 'spawnWorkerThread options', /options object/);
  expectRejected(rt, () => spawnWorkerThread(rt, workerOk, { link: 1 as never }), 'spawnWorkerThread.link', /a Pid/);
  expectRejected(rt, () => workerThread('', workerOk), 'workerThread id', /non-empty/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => workerThread('w', [] as never), 'workerThread("w")', /options object/);
  expectRejected(rt, () => workerThread('w', { ...workerOk, shutdown: 1.5 }), 'workerThread("w").shutdown', /integer/, 'INVALID_CHILD_SPEC');
  expectRejected(rt, () => workerThread('w', { ...workerOk, forwardTo: {} as never }), 'workerThread("w").forwardTo', /a Pid/);
});

test('a stopped runtime rejects a spawn before anything starts', async () => {
  const rt = world();
  await rt.shutdown();
  const os = thrown(() => spawnOsProcess(rt, nodeOk)) as QuiesceError;
  expect(os.code).toBe('RUNTIME_STOPPED');
  const thread = thrown(() => spawnWorkerThread(rt, workerOk)) as QuiesceError;
  expect(thread.code).toBe('RUNTIME_STOPPED');
  expect(rt.history.ofKind('os.spawn')).toEqual([]);
});
