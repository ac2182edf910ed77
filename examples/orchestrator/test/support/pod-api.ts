import { HttpResponse, http } from 'msw';

/**
 * A stateful fake of the REST API of pods, as msw handlers: what the HTTP provider talks to in
 * tests. It keeps the cloud's semantics the contract expects (a pod runs once created, a job
 * completes on its next read) and answers malformed requests the way the real API does.
 */
export function podApi(baseUrl: string, apiKey = 'test-key') {
  const pods = new Map<string, { id: string; desiredStatus: string }>();
  const jobs = new Map<string, { id: string; podId: string; status: string; output: string }>();
  let next = 1;
  const unauthorized = (request: Request) =>
    request.headers.get('authorization') !== `Bearer ${apiKey}` ? HttpResponse.json({ error: 'invalid API key' }, { status: 401 }) : undefined;

  const handlers = [
    http.post(`${baseUrl}/pods`, async ({ request }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const body = (await request.json().catch(() => undefined)) as { imageName?: unknown; gpuTypeIds?: unknown } | undefined;
      if (!body || typeof body.imageName !== 'string' || !Array.isArray(body.gpuTypeIds) || body.gpuTypeIds.length === 0) {
        return HttpResponse.json({ error: 'imageName and gpuTypeIds are required' }, { status: 400 });
      }
      const pod = { id: `pod_${next++}`, desiredStatus: 'RUNNING' };
      pods.set(pod.id, pod);
      return HttpResponse.json(pod, { status: 201 });
    }),
    http.get(`${baseUrl}/pods/:id`, ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const pod = pods.get(String(params.id));
      return pod ? HttpResponse.json(pod) : HttpResponse.json({ error: `pod ${params.id} not found` }, { status: 404 });
    }),
    http.post(`${baseUrl}/pods/:id/jobs`, async ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const pod = pods.get(String(params.id));
      if (!pod) return HttpResponse.json({ error: `pod ${params.id} not found` }, { status: 404 });
      if (pod.desiredStatus !== 'RUNNING') return HttpResponse.json({ error: `pod ${pod.id} is ${pod.desiredStatus}` }, { status: 409 });
      const { command } = (await request.json().catch(() => ({}))) as { command?: unknown };
      if (typeof command !== 'string' || command === '') return HttpResponse.json({ error: 'command must be a non-empty string' }, { status: 400 });
      const job = { id: `job_${next++}`, podId: pod.id, status: 'IN_QUEUE', output: `ran: ${command}` };
      jobs.set(job.id, job);
      return HttpResponse.json({ id: job.id, status: job.status }, { status: 201 });
    }),
    http.get(`${baseUrl}/jobs/:id`, ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const job = jobs.get(String(params.id));
      if (!job) return HttpResponse.json({ error: `job ${params.id} not found` }, { status: 404 });
      job.status = 'COMPLETED';
      return HttpResponse.json(job);
    }),
    http.delete(`${baseUrl}/pods/:id`, ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const pod = pods.get(String(params.id));
      if (!pod) return HttpResponse.json({ error: `pod ${params.id} not found` }, { status: 404 });
      pod.desiredStatus = 'TERMINATED';
      return new HttpResponse(null, { status: 204 });
    }),
  ];
  return { handlers, pods, jobs };
}
