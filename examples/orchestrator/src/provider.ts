/** What the orchestrator needs from a cloud: the contract every provider (mock, HTTP) keeps. */
export type ComputeStatus = 'provisioning' | 'running' | 'failed' | 'terminated';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface SpawnRequest {
  /** A short GPU name (`h100`, `a100`, `a4000`); each provider maps it to its own type id. */
  gpu: string;
  /** The container image the pod runs. */
  image: string;
  /** GPUs per pod, 1 to 8. Default 1. */
  gpuCount?: number;
}

export interface Compute {
  id: string;
  status: ComputeStatus;
  gpu: string;
  image: string;
}

export interface Job {
  id: string;
  computeId: string;
  status: JobStatus;
  output?: string;
}

export interface Provider {
  readonly name: string;
  spawnCompute(request: SpawnRequest): Promise<Compute>;
  getStatus(computeId: string): Promise<ComputeStatus>;
  runJob(computeId: string, command: string): Promise<Job>;
  getJob(jobId: string): Promise<Job>;
  terminate(computeId: string): Promise<void>;
}

export type ProviderErrorCode = 'INVALID_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHORIZED' | 'UNAVAILABLE';

/** Every provider failure: a code the caller can branch on and a message a person can act on. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** GPU short names and the type ids a RunPod-style API expects. */
export const GPU_TYPE_IDS: Readonly<Record<string, string>> = {
  h100: 'NVIDIA H100 80GB HBM3',
  a100: 'NVIDIA A100 80GB PCIe',
  a4000: 'NVIDIA RTX A4000',
};

/** Checks a spawn request before anything is asked of a cloud; throws INVALID_REQUEST naming the field. */
export function validateSpawnRequest(request: unknown): Required<SpawnRequest> {
  if (typeof request !== 'object' || request === null)
    throw new ProviderError('INVALID_REQUEST', `spawn request: got ${String(request)}; expected { gpu, image, gpuCount? }`);
  const { gpu, image, gpuCount = 1 } = request as Record<string, unknown>;
  if (typeof gpu !== 'string' || !Object.hasOwn(GPU_TYPE_IDS, gpu)) {
    throw new ProviderError('INVALID_REQUEST', `spawn request.gpu: got ${JSON.stringify(gpu)}; expected one of ${Object.keys(GPU_TYPE_IDS).join(', ')}`);
  }
  if (typeof image !== 'string' || image.trim() === '') {
    throw new ProviderError('INVALID_REQUEST', `spawn request.image: got ${JSON.stringify(image)}; expected a non-empty image name`);
  }
  if (typeof gpuCount !== 'number' || !Number.isInteger(gpuCount) || gpuCount < 1 || gpuCount > 8) {
    throw new ProviderError('INVALID_REQUEST', `spawn request.gpuCount: got ${JSON.stringify(gpuCount)}; expected an integer from 1 to 8`);
  }
  return { gpu, image, gpuCount };
}
