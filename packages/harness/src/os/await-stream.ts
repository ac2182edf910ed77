import type { ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import { LineSplitter } from '@quiesce/runtime/internal';
import { parseExternalWait, runExternalWait, type ExternalWaitOptions } from '../waits/external-wait.js';
import { parseLinePattern } from './options.js';
import type { ExitStatus } from './tracked-process.js';

/**
 * Wait for a line matching `pattern` (a RegExp or a predicate) on any readable stream; resolves
 * with the line. Only data arriving after the call is seen (and a first chunk that starts
 * mid-line yields a partial first line). Listening puts the stream in flowing mode; its
 * encoding is left alone. Fails at once, naming the stream's end, if it ends first.
 *
 * Bounded by `timeout` (real ms, and virtual too with a `system`, through which the wait is
 * driven and its failure carries the history's timeline). With a system the wait counts as an
 * external operation: virtual time stands still until the line arrives.
 */
export function awaitLine(stream: Readable, pattern: RegExp | ((line: string) => boolean), options: ExternalWaitOptions = {}): Promise<string> {
  if (!(stream instanceof Readable) && !isReadableLike(stream)) throw new InvalidOptionError('awaitLine(stream)', stream, 'a Readable stream');
  const { test, description } = parseLinePattern('awaitLine(pattern)', pattern);
  const { timeout, signal, system } = parseExternalWait('awaitLine', options);
  return runExternalWait(
    { what: `a line ${description} on the stream`, timeout, signal, system, holdClock: true },
    (stop, ended) =>
      new Promise<string>((resolve, reject) => {
        if (stream.readableEnded || stream.destroyed) return reject(ended('the stream had already ended'));
        const splitter = new LineSplitter((line) => {
          let matched = false;
          try {
            matched = test(line);
          } catch (error) {
            finish();
            return reject(
              new QuiesceError(
                'INVALID_OPTION',
                `awaitLine: the line predicate threw on ${JSON.stringify(line)}: ${(error as Error)?.message ?? String(error)}`,
              ),
            );
          }
          if (matched) {
            finish();
            resolve(line);
          }
        });
        const onData = (chunk: string | Uint8Array): void => splitter.push(chunk);
        const onEnd = (): void => {
          splitter.end();
          finish();
          reject(ended('the stream ended without such a line'));
        };
        const onClose = (): void => {
          finish();
          reject(ended('the stream closed without such a line'));
        };
        const onError = (error: Error): void => {
          finish();
          reject(ended('the stream failed', error));
        };
        const onStop = (): void => {
          finish();
          reject(stop.reason);
        };
        function finish(): void {
          stream.off('data', onData);
          stream.off('end', onEnd);
          stream.off('close', onClose);
          stream.off('error', onError);
          stop.removeEventListener('abort', onStop);
        }
        stream.on('data', onData);
        stream.on('end', onEnd);
        stream.on('close', onClose);
        stream.on('error', onError);
        stop.addEventListener('abort', onStop, { once: true });
      }),
  );
}

/**
 * Wait until a child process (any node ChildProcess) has exited; resolves with its exit code
 * or signal, at once if it already has. Fails at once with SPAWN_FAILED if it could not be
 * started. Bounded like `awaitLine`.
 */
export function awaitExit(child: ChildProcess, options: ExternalWaitOptions = {}): Promise<ExitStatus> {
  if (!isChildProcess(child)) throw new InvalidOptionError('awaitExit(child)', child, 'a ChildProcess (from node:child_process)');
  const { timeout, signal, system } = parseExternalWait('awaitExit', options);
  const name = `child process ${child.spawnfile ?? ''}${child.pid !== undefined ? ` (pid ${child.pid})` : ''}`.replace('  ', ' ');
  return runExternalWait(
    { what: `${name} to exit`, timeout, signal, system, holdClock: true },
    (stop) =>
      new Promise<ExitStatus>((resolve, reject) => {
        if (child.pid === undefined && child.exitCode !== null && child.exitCode < 0) {
          return reject(new QuiesceError('SPAWN_FAILED', `${name} could not be started (errno ${child.exitCode})`, { errno: child.exitCode }));
        }
        if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode as NodeJS.Signals | null });
        const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
          finish();
          resolve({ code, signal: sig });
        };
        const onError = (error: Error & { code?: string }): void => {
          // Errors after a successful spawn (a failed kill or send) do not end the process.
          if (child.pid !== undefined) return;
          finish();
          reject(new QuiesceError('SPAWN_FAILED', `${name} could not be started: ${error.message}`, { errno: error.code }));
        };
        const onStop = (): void => {
          finish();
          reject(stop.reason);
        };
        function finish(): void {
          child.off('exit', onExit);
          child.off('error', onError);
          stop.removeEventListener('abort', onStop);
        }
        child.on('exit', onExit);
        child.on('error', onError);
        stop.addEventListener('abort', onStop, { once: true });
      }),
  );
}

function isReadableLike(value: unknown): value is Readable {
  const s = value as Partial<Readable> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.on === 'function' && typeof s.off === 'function' && typeof s.pipe === 'function' && 'readableEnded' in s
  );
}

function isChildProcess(value: unknown): value is ChildProcess {
  const c = value as Partial<ChildProcess> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.on === 'function' &&
    typeof c.off === 'function' &&
    typeof c.kill === 'function' &&
    'exitCode' in c &&
    'signalCode' in c
  );
}
