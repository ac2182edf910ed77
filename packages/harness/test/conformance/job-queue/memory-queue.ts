import type { Job, JobQueue, JobStatus, JobTask } from './contract.js';

interface Entry {
  id: string;
  task: JobTask;
  input: string | undefined;
  status: JobStatus;
  result?: string;
  error?: string;
  waiters: Array<(job: Job) => void>;
}

const TERMINAL: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

/**
 * The in-memory mock of the job queue: synchronous, like ExAtlas's Mock provider. A job runs the
 * moment the worker is free; `hang` holds the worker until the job is deleted.
 */
export class MemoryJobQueue implements JobQueue {
  #jobs = new Map<string, Entry>();
  #queue: Entry[] = [];
  #running: Entry | undefined;
  #next = 1;
  /** Resets so far (the conformance runner calls `reset` before each test). */
  resets = 0;

  async create(spec: { task: JobTask; input?: string }): Promise<Job> {
    const entry: Entry = { id: `mem-${this.#next++}`, task: spec.task, input: spec.input, status: 'queued', waiters: [] };
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
    if (!TERMINAL.includes(entry.status)) {
      this.#queue = this.#queue.filter((e) => e !== entry);
      if (this.#running === entry) this.#running = undefined;
      this.#finish(entry, 'cancelled');
      this.#pump();
    }
    return true;
  }

  settled(id: string): Promise<Job> {
    const entry = this.#jobs.get(id);
    if (!entry) return Promise.reject(new Error(`unknown job ${JSON.stringify(id)}`));
    if (TERMINAL.includes(entry.status)) return Promise.resolve(snapshot(entry));
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  reset(): void {
    this.resets++;
    for (const entry of this.#jobs.values()) if (!TERMINAL.includes(entry.status)) this.#finish(entry, 'cancelled');
    this.#jobs.clear();
    this.#queue = [];
    this.#running = undefined;
  }

  #pump(): void {
    while (!this.#running && this.#queue.length > 0) {
      const entry = this.#queue.shift()!;
      entry.status = 'running';
      if (entry.task === 'hang') this.#running = entry;
      else if (entry.task === 'crash') this.#finish(entry, 'failed', { error: 'worker crashed while running the job' });
      else this.#finish(entry, 'done', { result: `echo:${entry.input ?? ''}` });
    }
  }

  #finish(entry: Entry, status: JobStatus, extra: { result?: string; error?: string } = {}): void {
    entry.status = status;
    Object.assign(entry, extra);
    const waiters = entry.waiters.splice(0);
    for (const resolve of waiters) resolve(snapshot(entry));
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
