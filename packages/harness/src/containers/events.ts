import type { Readable } from 'node:stream';

/** One container event from the engine's event stream (`docker events`), the fields the harness reads. */
export interface EngineEvent {
  /** 'create', 'start', 'die', 'kill', 'pause', 'unpause', 'oom', 'destroy', ... */
  readonly action: string;
  readonly id: string;
  /** On 'die': the container's exit code. */
  readonly exitCode?: number;
}

interface EventSource {
  getEvents(options?: { since?: number; filters?: unknown }): Promise<NodeJS.ReadableStream>;
}

/**
 * Subscribe to the engine's events for container `id` from `since` (Unix seconds: events between
 * the container's start and the subscription are replayed, so none is missed). Resolves with the
 * stream; destroy it to stop. The engine sends one JSON object per line.
 */
export async function watchEngineEvents(engine: EventSource, id: string, since: number, onEvent: (event: EngineEvent) => void): Promise<Readable> {
  const stream = (await engine.getEvents({ since, filters: { type: ['container'], container: [id] } })) as Readable;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseEvent(line);
      if (event && event.id === id) onEvent(event);
    }
  });
  // The stream ends when the engine stops or the connection drops: the container is then judged at teardown.
  stream.on('error', () => undefined);
  return stream;
}

/** One line of the event stream, or undefined for anything that is not a container event. */
export function parseEvent(line: string): EngineEvent | undefined {
  if (line.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as { Action?: unknown; status?: unknown; id?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> } };
  const action = typeof r.Action === 'string' ? r.Action : typeof r.status === 'string' ? r.status : undefined;
  const id = typeof r.Actor?.ID === 'string' ? r.Actor.ID : typeof r.id === 'string' ? r.id : undefined;
  if (action === undefined || id === undefined) return undefined;
  const code = Number(r.Actor?.Attributes?.exitCode);
  return { action, id, ...(action === 'die' && Number.isInteger(code) ? { exitCode: code } : {}) };
}
