// Rows: the in-process TCP fault proxy with no toxic, against direct loopback.
//   throughput: 32 MB pushed to a discarding server, through the proxy vs straight to the server
//   latency:    1-byte ping-pong round trips on one connection, through the proxy vs direct
// Both sides run in this process, alternating rep by rep.
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { Runtime } from '../../packages/runtime/dist/bundle/index.js';
import { chaos } from '../../packages/chaos/dist/bundle/index.js';
import { now, sideBySide } from '../lib.mjs';

export const id = 'tcp-proxy';

const PAYLOAD = 32 << 20;
const PINGS = 2000;

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

/** MB/s to push PAYLOAD bytes to `port` and see the server count them all. */
async function throughput(port, received) {
  const chunk = Buffer.alloc(64 << 10, 1);
  const start = now();
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const done = received.until(PAYLOAD);
  for (let sent = 0; sent < PAYLOAD; sent += chunk.length) if (!socket.write(chunk)) await once(socket, 'drain');
  await done;
  const ms = now() - start;
  socket.destroy();
  return PAYLOAD / (1 << 20) / (ms / 1000);
}

/** Microseconds per 1-byte round trip. */
async function roundTrip(port) {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const start = now();
  for (let i = 0; i < PINGS; i++) {
    socket.write('x');
    await once(socket, 'data');
  }
  const us = ((now() - start) * 1000) / PINGS;
  socket.destroy();
  return us;
}

export async function measure() {
  let count = 0;
  let waiter;
  const received = {
    until(total) {
      return new Promise((resolve) => (waiter = { total, resolve }));
    },
  };
  const sinkServer = createServer((s) =>
    s.on('data', (d) => {
      count += d.length;
      if (waiter && count >= waiter.total) {
        count = 0;
        waiter.resolve();
        waiter = undefined;
      }
    }),
  );
  const echo = createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
  });
  const sinkPort = await listen(sinkServer);
  const echoPort = await listen(echo);
  const rt = new Runtime();
  const c = chaos(rt);
  const sinkProxy = await c.tcpProxy({ upstream: sinkPort });
  const echoProxy = await c.tcpProxy({ upstream: echoPort });
  await throughput(sinkProxy.port, received);
  await throughput(sinkPort, received);
  const tp = await sideBySide(5, { quiesce: () => throughput(sinkProxy.port, received), peer: () => throughput(sinkPort, received) });
  const rtt = await sideBySide(5, { quiesce: () => roundTrip(echoProxy.port), peer: () => roundTrip(echoPort) });
  const aim = tp.medians.quiesce >= tp.medians.peer / 2 ? 'met' : 'MISSED';
  c.dispose();
  sinkServer.close();
  echo.close();
  await rt.shutdown();
  return [
    {
      id,
      measurement: 'TCP proxy throughput, no toxic (MB/s)',
      unit: 'MB/s',
      quiesce: tp.medians.quiesce,
      peer: tp.medians.peer,
      ratio: tp.medians.quiesce / tp.medians.peer,
      better: 'higher',
      peerName: 'direct loopback to the same server',
      note: `${PAYLOAD >> 20} MB per rep in 64 KB writes; aim: at least half the direct throughput (${aim})`,
    },
    {
      id: 'tcp-proxy-latency',
      measurement: 'TCP proxy round trip, no toxic (µs)',
      unit: 'µs',
      quiesce: rtt.medians.quiesce,
      peer: rtt.medians.peer,
      ratio: rtt.medians.quiesce / rtt.medians.peer,
      better: 'lower',
      peerName: 'direct loopback to the same echo server',
      note: `${PINGS} one-byte ping-pongs per rep on one connection (Nagle off); the proxy adds a hop each way`,
    },
  ];
}
