import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { QuiesceError } from '@quiesce/runtime';
import { describe, expect } from 'vitest';
import { awaitExit, awaitLine, ExternalWaitError, test, WaitError } from '@quiesce/harness';

const child = fileURLToPath(new URL('../fixtures/os-child.mjs', import.meta.url));

describe('awaitLine on any Readable', () => {
  test('resolves with the first matching line, across chunk boundaries and CRLF', async () => {
    const stream = new PassThrough();
    const line = awaitLine(stream, /^listening on (\d+)$/);
    stream.write('booting\r\nlisten');
    stream.write(Buffer.from('ing on 8080\r\nmore\n'));
    await expect(line).resolves.toBe('listening on 8080');
    // It stopped listening: the stream is left to its owner.
    expect(stream.listenerCount('data')).toBe(0);
  });

  test('a last line without a newline counts at the end; an end without the line fails at once', async () => {
    const stream = new PassThrough();
    const last = awaitLine(stream, /^done$/);
    stream.end('working\ndone');
    await expect(last).resolves.toBe('done');

    const other = new PassThrough();
    const never = awaitLine(other, /^ready$/, { timeout: 3_600_000 });
    other.end('starting\n');
    const error = await never.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalWaitError);
    expect((error as ExternalWaitError).failure).toBe('ended');
    expect((error as ExternalWaitError).message).toMatch(
      /waiting for a line matching \/\^ready\$\/ on the stream can never succeed .*the stream ended without such a line/,
    );
  });

  test('times out naming what it waited for (no system: a plain bounded wait)', async () => {
    const error = await awaitLine(new PassThrough(), (line) => line === 'x', { timeout: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalWaitError);
    expect((error as ExternalWaitError).code).toBe('TIMEOUT');
    expect((error as ExternalWaitError).failure).toBe('timeout');
    expect((error as ExternalWaitError).message).toMatch(/waiting for a line satisfying a predicate on the stream timed out after/);
  });

  test('with a system: driven, virtual time flows with real time up to the bound, and a timeout carries the timeline', async ({ system }) => {
    const stream = new PassThrough();
    system.record('test.marker', 'test', { n: 1 });
    const line = awaitLine(stream, /go/, { system });
    stream.write('go\n');
    await expect(line).resolves.toBe('go');
    const before = system.now();
    const error = await awaitLine(stream, /never/, { system, timeout: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).failure).toBe('timeout');
    expect((error as WaitError).message).toMatch(/test\.marker/);
    // A wait on the outside world lets virtual time flow with real time, never past the wait's bound.
    expect(system.now() - before).toBeLessThanOrEqual(30);
  });

  test('an aborted wait stops listening', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const waiting = awaitLine(stream, /x/, { signal: controller.signal, timeout: 3_600_000 });
    controller.abort(new Error('stop'));
    const error = (await waiting.catch((e: unknown) => e)) as ExternalWaitError;
    expect(error.failure).toBe('aborted');
    expect(stream.listenerCount('data')).toBe(0);
  });
});

describe('awaitExit on any ChildProcess', () => {
  test('resolves with the exit code, or at once if it already exited', async ({ system }) => {
    const proc = spawn(process.execPath, [child, 'exit', '5'], { stdio: 'ignore' });
    await expect(awaitExit(proc, { system })).resolves.toEqual({ code: 5, signal: null });
    await expect(awaitExit(proc)).resolves.toEqual({ code: 5, signal: null });
  });

  test('resolves with the signal that ended it', async () => {
    const proc = spawn(process.execPath, [child, 'silent'], { stdio: 'ignore' });
    const exited = awaitExit(proc);
    proc.kill('SIGKILL');
    await expect(exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });

  test('a child that could not be started fails with SPAWN_FAILED', async () => {
    const proc = spawn('/nonexistent/quiesce-program', [], { stdio: 'ignore' });
    const error = await awaitExit(proc).catch((e: unknown) => e);
    expect((error as QuiesceError).code).toBe('SPAWN_FAILED');
  });

  test('times out naming the child', async () => {
    const proc = spawn(process.execPath, [child, 'silent'], { stdio: 'ignore' });
    try {
      const error = await awaitExit(proc, { timeout: 20 }).catch((e: unknown) => e);
      expect((error as ExternalWaitError).message).toMatch(new RegExp(`waiting for child process .* \\(pid ${proc.pid}\\) to exit timed out`));
    } finally {
      const exited = awaitExit(proc);
      proc.kill('SIGKILL');
      await exited;
    }
  });
});
