import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { TestSystem } from '@quiesce/harness';
import type { Job, JobQueue, JobStatus, JobTask } from './contract.js';

const WORKER = fileURLToPath(new URL('./job-worker.mjs', import.meta.url));
const TERMINAL: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

interface Entry {
  id: string;
  task: JobTask;
  input: string | undefined;
  status: JobStatus;
  result?: string;
  error?: string;
  deleted?: boolean;
  waiters: Array<(job: Job) => void>;
}

type Worker = ChildProcessByStdio<Writable, Readable, null> & { closed: Promise<void> };

/**
 * The real job queue: jobs run in a real OS child process (job-worker.mjs) that speaks JSON lines
 * over stdio. A crash is a real process exit, noticed from its `close` event; the queue then
 * starts a new worker and carries on. Deleting a running job kills its worker.
 */
export class ProcessJobQueue implements JobQueue {
  readonly #system: TestSystem;
  #jobs = new Map<string, Entry>();
  #queue: Entry[] = [];
  #running: Entry | undefined;
  #worker: Worker;
  #next = 1;
  #closed = false;
  /** Workers started so far (a crash or a cancelled running job starts a new one). */
  workersStarted = 0;

  /** Start a queue owned by `system`: its worker is killed at teardown and leak-checked. */
  static start(system: TestSystem): ProcessJobQueue {
    const queue = new ProcessJobQueue(system);
    system.own({
      kind: 'os-process',
      get label() {
        return `job worker (pid ${queue.#worker.pid ?? '?'})`;
      },
      dispose: () => queue.close(),
      alive: () => queue.#worker.exitCode === null && queue.#worker.signalCode === null,
      external: () => queue.#running !== undefined,
    });
    return queue;
  }

  private constructor(system: TestSystem) {
    this.#system = system;
    this.#worker = this.#spawnWorker();
  }

  async create(spec: { task: JobTask; input?: string }): Promise<Job> {
    const entry: Entry = { id: `proc-${this.#next++}`, task: spec.task, input: spec.input, status: 'queued', waiters: [] };
    this.#jobs.set(entry.id, entry);
    this.#queue.push(entry);
    this.#pump();
    return snapshot(entry);
  }

  async list(): Promise<Job[]> {
    return [...this.#jobs.values()].map(snapshot);
  }

  async get(id: string): Promise<Job | undefined> {
    const entry = this.#jobs.get(id);
    return entry && snapshot(entry);
  }

  async delete(id: string): Promise<boolean> {
    const entry = this.#jobs.get(id);
    if (!entry) return false;
    this.#jobs.delete(id);
    entry.deleted = true;
    if (this.#running === entry) {
      // The worker is busy with it and will never answer: kill it; its close event cancels the job.
      const worker = this.#worker;
      worker.kill('SIGKILL');
      await worker.closed;
    } else if (!TERMINAL.includes(entry.status)) {
      this.#queue = this.#queue.filter((e) => e !== entry);
      this.#finish(entry, 'cancelled');
    }
    return true;
  }

  settled(id: string): Promise<Job> {
    const entry = this.#jobs.get(id);
    if (!entry) return Promise.reject(new Error(`unknown job ${JSON.stringify(id)}`));
    if (TERMINAL.includes(entry.status)) return Promise.resolve(snapshot(entry));
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  /** Kill the worker and wait for its exit. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await worker.closed;
  }

  #spawnWorker(): Worker {
    const child = spawn(process.execPath, [WORKER], { stdio: ['pipe', 'pipe', 'inherit'] });
    const worker = Object.assign(child, {
      closed: new Promise<void>((resolve) => child.once('close', () => resolve())),
    });
    this.workersStarted++;
    createInterface({ input: child.stdout }).on('line', (line) => this.#onLine(line));
    child.stdin.on('error', () => undefined); // EPIPE when the worker died first: its close event says so.
    child.once('close', (code, signal) => this.#onWorkerClosed(worker, code, signal));
    return worker;
  }

  #onLine(line: string): void {
    const reply = JSON.parse(line) as { id?: string; result?: string; ready?: number };
    if (reply.ready !== undefined) {
      this.#record('job.worker_ready', { pid: reply.ready });
      return;
    }
    const entry = this.#running;
    if (!entry || entry.id !== reply.id) return;
    this.#running = undefined;
    this.#finish(entry, 'done', { result: reply.result ?? '' });
    this.#pump();
  }

  #onWorkerClosed(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    if (worker !== this.#worker) return;
    this.#record('job.worker_exit', { pid: worker.pid, code, signal });
    const entry = this.#running;
    this.#running = undefined;
    if (entry) {
      if (entry.deleted) this.#finish(entry, 'cancelled');
      else this.#finish(entry, 'failed', { error: `worker crashed while running the job (exit code ${code}, signal ${signal})` });
    }
    if (this.#closed) return;
    this.#worker = this.#spawnWorker();
    this.#pump();
  }

  #pump(): void {
    if (this.#running || this.#closed) return;
    const entry = this.#queue.shift();
    if (!entry) return;
    entry.status = 'running';
    this.#running = entry;
    this.#record('job.start', { id: entry.id, task: entry.task });
    this.#worker.stdin.write(`${JSON.stringify({ id: entry.id, task: entry.task, input: entry.input })}\n`);
  }

  #finish(entry: Entry, status: JobStatus, extra: { result?: string; error?: string } = {}): void {
    entry.status = status;
    Object.assign(entry, extra);
    this.#record('job.end', { id: entry.id, status });
    for (const resolve of entry.waiters.splice(0)) resolve(snapshot(entry));
  }

  #record(kind: string, data: Record<string, unknown>): void {
    // After teardown began the history is closed; the worker's last events are not the test's.
    if (!this.#closed && !this.#system.tornDown) this.#system.record(kind, 'job-queue', data);
  }
}

function snapshot(entry: Entry): Job {
  return {
    id: entry.id,
    task: entry.task,
    input: entry.input,
    status: entry.status,
    ...(entry.result !== undefined ? { result: entry.result } : {}),
    ...(entry.error !== undefined ? { error: entry.error } : {}),
  };
}
