// Row: what an armed HTTP fault costs the requests it lets through. One msw server answers
// `GET http://api.test/pods/:id`; the quiesce side has a `status` fault armed on that route at
// rate 0 (its handler runs and draws for every request, then lets it through), the peer the
// same server with no fault. Requests are real fetch calls intercepted by msw, in requests per
// second; the two sides alternate rep by rep.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Runtime } from '../../packages/runtime/dist/bundle/index.js';
import { chaos } from '../../packages/chaos/dist/bundle/index.js';
import { rate, sideBySide } from '../lib.mjs';

export const id = 'http-faults';

const BATCH = 200;

export async function measure() {
  const server = setupServer(http.get('http://api.test/pods/:id', ({ params }) => HttpResponse.json({ id: params.id })));
  server.listen({ onUnhandledRequest: 'error' });
  const runtime = new Runtime({ clock: 'virtual', seed: 1 });
  const c = chaos(runtime);
  let ok = 0;
  const batch = async () => {
    for (let i = 0; i < BATCH; i++) if ((await fetch(`http://api.test/pods/${i}`)).ok) ok++;
  };
  const withFault = async () => {
    const faults = c.http(server, { http });
    faults.fault('status', { method: 'GET', path: 'http://api.test/pods/:id', status: 503, rate: 0 });
    try {
      return await rate(batch, { batchSize: BATCH, minMs: 400 });
    } finally {
      faults.dispose();
    }
  };
  const plain = () => rate(batch, { batchSize: BATCH, minMs: 400 });
  await batch(); // warm msw's interceptors and the JIT
  const { medians } = await sideBySide(5, { quiesce: withFault, peer: plain });
  server.close();
  c.dispose();
  await runtime.shutdown();
  if (ok === 0) throw new Error('no request was answered');
  return {
    id,
    measurement: 'msw-mocked fetch requests per second through an armed HTTP fault that lets them through',
    unit: 'req/s',
    quiesce: medians.quiesce,
    peer: medians.peer,
    ratio: medians.quiesce / medians.peer,
    better: 'higher',
    peerName: 'the same msw server with no fault',
    note: 'a status fault at rate 0 on the route: its handler matches, draws and falls through to the real handler',
  };
}
