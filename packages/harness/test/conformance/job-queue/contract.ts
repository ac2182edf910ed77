import { defineConformance } from '@quiesce/harness';

/** What a job does when it runs: echo its input, crash its worker, or run until deleted. */
export type JobTask = 'echo' | 'crash' | 'hang';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  readonly id: string;
  readonly task: JobTask;
  readonly input: string | undefined;
  readonly status: JobStatus;
  /** For done jobs: `echo:<input>`. */
  readonly result?: string;
  /** For failed jobs: why. */
  readonly error?: string;
}

/**
 * A job queue with one worker: jobs run one at a time in creation order. A job that crashes its
 * worker fails and the queue carries on with a new worker; deleting a queued or running job
 * cancels it.
 */
export interface JobQueue {
  create(spec: { task: JobTask; input?: string }): Promise<Job>;
  /** Every job not deleted, in creation order. */
  list(): Promise<Job[]>;
  get(id: string): Promise<Job | undefined>;
  /** Remove a job (cancelling it if queued or running); resolves false for an unknown id. */
  delete(id: string): Promise<boolean>;
  /** Resolves with the job once it is done, failed or cancelled; rejects for an unknown id. */
  settled(id: string): Promise<Job>;
}

export const jobQueueContract = defineConformance<JobQueue>('job queue', (t) => {
  t.test('a created job runs to done and is listed', async ({ impl, expect }) => {
    const job = await impl.create({ task: 'echo', input: 'hi' });
    expect(job).toMatchObject({ task: 'echo', input: 'hi' });
    expect(typeof job.id).toBe('string');
    await expect(impl.settled(job.id)).resolves.toMatchObject({ id: job.id, status: 'done', result: 'echo:hi' });
    expect(await impl.list()).toEqual([expect.objectContaining({ id: job.id, status: 'done' })]);
    expect(await impl.get(job.id)).toMatchObject({ status: 'done', result: 'echo:hi' });
  });

  t.test('jobs run one at a time, in creation order', async ({ impl, expect }) => {
    const blocker = await impl.create({ task: 'hang' });
    const a = await impl.create({ task: 'echo', input: 'a' });
    const b = await impl.create({ task: 'echo', input: 'b' });
    expect((await impl.list()).map((j) => j.id)).toEqual([blocker.id, a.id, b.id]);
    expect((await impl.get(a.id))?.status).toBe('queued');
    expect((await impl.get(b.id))?.status).toBe('queued');

    const finished: string[] = [];
    const all = Promise.all([a, b].map((job) => impl.settled(job.id).then((j) => finished.push(j.input ?? ''))));
    const cancelled = impl.settled(blocker.id);
    expect(await impl.delete(blocker.id)).toBe(true);
    await expect(cancelled).resolves.toMatchObject({ status: 'cancelled' });
    await all;
    expect(finished).toEqual(['a', 'b']);
    expect((await impl.list()).map((j) => j.id)).toEqual([a.id, b.id]);
  });

  t.test('a job that crashes its worker fails, and the queue keeps serving', async ({ impl, expect }) => {
    const crash = await impl.create({ task: 'crash' });
    const after = await impl.create({ task: 'echo', input: 'still here' });
    const failed = await impl.settled(crash.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/worker crashed/);
    await expect(impl.settled(after.id)).resolves.toMatchObject({ status: 'done', result: 'echo:still here' });
  });

  t.test('deleting a queued job cancels it without running it', async ({ impl, expect }) => {
    const blocker = await impl.create({ task: 'hang' });
    const queued = await impl.create({ task: 'crash' });
    const cancelled = impl.settled(queued.id);
    expect(await impl.delete(queued.id)).toBe(true);
    await expect(cancelled).resolves.toMatchObject({ status: 'cancelled' });
    expect((await impl.list()).map((j) => j.id)).toEqual([blocker.id]);
    expect((await impl.get(blocker.id))?.status).toMatch(/^(queued|running)$/);
    await impl.delete(blocker.id);
  });

  t.test('deleting a finished job removes it; unknown ids are reported, not thrown', async ({ impl, expect }) => {
    const job = await impl.create({ task: 'echo', input: 'x' });
    await impl.settled(job.id);
    expect(await impl.delete(job.id)).toBe(true);
    expect(await impl.get(job.id)).toBeUndefined();
    expect(await impl.list()).toEqual([]);
    expect(await impl.delete(job.id)).toBe(false);
    expect(await impl.delete('no-such-job')).toBe(false);
    await expect(impl.settled('no-such-job')).rejects.toThrow(/unknown job "no-such-job"/);
  });
});
