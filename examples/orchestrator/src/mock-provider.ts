import { type Compute, type ComputeStatus, type Job, type Provider, ProviderError, type SpawnRequest, validateSpawnRequest } from './provider.js';

/**
 * An in-memory provider for tests of code that depends on one: pods are `running` as soon as
 * they are spawned, a job completes on the next `getJob`. No network, no timers.
 */
export class MockProvider implements Provider {
  readonly name = 'mock';
  readonly #computes = new Map<string, Compute>();
  readonly #jobs = new Map<string, Job>();
  #next = 1;

  async spawnCompute(request: SpawnRequest): Promise<Compute> {
    const { gpu, image } = validateSpawnRequest(request);
    const compute: Compute = { id: `mock-pod-${this.#next++}`, status: 'running', gpu, image };
    this.#computes.set(compute.id, compute);
    return { ...compute };
  }

  async getStatus(computeId: string): Promise<ComputeStatus> {
    return this.#compute(computeId).status;
  }

  async runJob(computeId: string, command: string): Promise<Job> {
    const compute = this.#compute(computeId);
    if (compute.status !== 'running') throw new ProviderError('CONFLICT', `compute ${computeId} is ${compute.status}; jobs run only on a running compute`);
    if (typeof command !== 'string' || command === '')
      throw new ProviderError('INVALID_REQUEST', `job command: got ${JSON.stringify(command)}; expected a non-empty string`);
    const job: Job = { id: `mock-job-${this.#next++}`, computeId, status: 'queued' };
    this.#jobs.set(job.id, { ...job, output: `ran: ${command}` });
    return job;
  }

  async getJob(jobId: string): Promise<Job> {
    const job = this.#jobs.get(jobId);
    if (!job) throw new ProviderError('NOT_FOUND', `job ${jobId} does not exist`);
    job.status = 'completed';
    return { ...job };
  }

  async terminate(computeId: string): Promise<void> {
    this.#compute(computeId).status = 'terminated';
  }

  /** Test control: what a cloud does on its own (a pod fails, is preempted). */
  setStatus(computeId: string, status: ComputeStatus): void {
    this.#compute(computeId).status = status;
  }

  /** Forget everything (the conformance suite's `reset`). */
  reset(): void {
    this.#computes.clear();
    this.#jobs.clear();
    this.#next = 1;
  }

  #compute(computeId: string): Compute {
    const compute = this.#computes.get(computeId);
    if (!compute) throw new ProviderError('NOT_FOUND', `compute ${computeId} does not exist`);
    return compute;
  }
}
