import {
  type Compute,
  type ComputeStatus,
  GPU_TYPE_IDS,
  type Job,
  type JobStatus,
  type Provider,
  ProviderError,
  type SpawnRequest,
  validateSpawnRequest,
} from './provider.js';

export interface HttpProviderOptions {
  /** The API's base URL, e.g. `https://rest.runpod.io/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Injected for tests and proxies; default: the global fetch. */
  fetch?: typeof fetch;
}

/** The API's pod states, mapped to the contract's. */
const POD_STATUS: Readonly<Record<string, ComputeStatus>> = {
  CREATED: 'provisioning',
  PROVISIONING: 'provisioning',
  RUNNING: 'running',
  FAILED: 'failed',
  EXITED: 'terminated',
  TERMINATED: 'terminated',
};
const JOB_STATUS: Readonly<Record<string, JobStatus>> = { IN_QUEUE: 'queued', IN_PROGRESS: 'running', COMPLETED: 'completed', FAILED: 'failed' };

/** A provider for a REST API of pods (RunPod-style): one HTTP request per call, errors mapped to codes. */
export class HttpProvider implements Provider {
  readonly name = 'http';
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: HttpProviderOptions) {
    if (typeof options?.baseUrl !== 'string' || !URL.canParse(options.baseUrl)) {
      throw new ProviderError('INVALID_REQUEST', `HttpProvider options.baseUrl: got ${JSON.stringify(options?.baseUrl)}; expected an absolute URL`);
    }
    if (typeof options.apiKey !== 'string' || options.apiKey === '') {
      throw new ProviderError('INVALID_REQUEST', 'HttpProvider options.apiKey: got an empty value; expected the API key');
    }
    this.#baseUrl = options.baseUrl.replace(/\/$/, '');
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async spawnCompute(request: SpawnRequest): Promise<Compute> {
    const { gpu, image, gpuCount } = validateSpawnRequest(request);
    const body = { imageName: image, gpuTypeIds: [GPU_TYPE_IDS[gpu]], gpuCount, cloudType: 'SECURE' };
    const pod = await this.#request<{ id: string; desiredStatus: string }>('POST', '/pods', body);
    return { id: pod.id, status: podStatus(pod.desiredStatus), gpu, image };
  }

  async getStatus(computeId: string): Promise<ComputeStatus> {
    const pod = await this.#request<{ desiredStatus: string }>('GET', `/pods/${encodeURIComponent(computeId)}`);
    return podStatus(pod.desiredStatus);
  }

  async runJob(computeId: string, command: string): Promise<Job> {
    const job = await this.#request<{ id: string; status: string }>('POST', `/pods/${encodeURIComponent(computeId)}/jobs`, { command });
    return { id: job.id, computeId, status: jobStatus(job.status) };
  }

  async getJob(jobId: string): Promise<Job> {
    const job = await this.#request<{ id: string; podId: string; status: string; output?: string }>('GET', `/jobs/${encodeURIComponent(jobId)}`);
    return { id: job.id, computeId: job.podId, status: jobStatus(job.status), ...(job.output !== undefined ? { output: job.output } : {}) };
  }

  async terminate(computeId: string): Promise<void> {
    await this.#request('DELETE', `/pods/${encodeURIComponent(computeId)}`);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ProviderError('UNAVAILABLE', `${method} ${path}: the API did not answer (${(error as Error).message})`);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (!response.ok) throw new ProviderError(codeOf(response.status), `${method} ${path}: ${response.status} ${errorText(text)}`, response.status);
    return JSON.parse(text) as T;
  }
}

function codeOf(status: number): ProviderError['code'] {
  if (status === 400 || status === 422) return 'INVALID_REQUEST';
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  return 'UNAVAILABLE';
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {}
  return text.slice(0, 200);
}

function podStatus(raw: string): ComputeStatus {
  const status = POD_STATUS[raw];
  if (!status) throw new ProviderError('UNAVAILABLE', `the API answered an unknown pod status ${JSON.stringify(raw)}`);
  return status;
}

function jobStatus(raw: string): JobStatus {
  const status = JOB_STATUS[raw];
  if (!status) throw new ProviderError('UNAVAILABLE', `the API answered an unknown job status ${JSON.stringify(raw)}`);
  return status;
}
