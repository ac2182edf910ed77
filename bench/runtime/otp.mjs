// Row 10: the runtime against real Erlang/OTP on the same machine, in the same run.
// OTP's side is bench/runtime/otp_peer.escript (one BEAM, one scheduler: the runtime is one
// thread), which runs one rep per command on its stdin, so the two sides alternate rep by rep
// as every other row does. Three rows: gen_server:call round-trips with a 5 s timeout and with
// `infinity` (against rt.call the same way, bench/runtime/calls.mjs's Quiesce side), and
// crash -> restart cycles of a one_for_one supervisor with intensity 1e9 in 1 s (against
// bench/runtime/restarts.mjs's Quiesce side). Where `escript` is not on PATH the rows say so.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rate, sideBySide } from '../lib.mjs';
import { quiesceSide } from './calls.mjs';
import { quiesceRestarts } from './restarts.mjs';

export const id = 'otp';

const SCRIPT = fileURLToPath(new URL('./otp_peer.escript', import.meta.url));
const BATCH = 1000;
/** Aim of issue 13: calls at 1.5× OTP's or better. */
const CALL_TARGET = 1.5;

/** The escript, driven one command (one rep) at a time; undefined when there is no escript. */
async function startOtp() {
  const child = spawn('escript', [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const failed = await new Promise((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (failed) return undefined;
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const answer = async (command, word) => {
    child.stdin.write(`${command}\n`);
    const { value, done } = await lines.next();
    const match = !done && new RegExp(`^${word} (\\S+)$`).exec(value);
    if (!match) throw new Error(`otp_peer.escript answered ${JSON.stringify(done ? 'nothing (it exited)' : value)} to ${JSON.stringify(command)}`);
    return match[1];
  };
  return {
    ask: async (command) => Number(await answer(command, 'rate')),
    release: await answer('release', 'release'),
    close: () => {
      child.stdin.end('quit\n');
      child.kill();
    },
  };
}

const skipped = (rowId, measurement, unit) => ({
  id: rowId,
  measurement,
  unit,
  better: 'higher',
  quiesce: undefined,
  peer: undefined,
  peerName: 'real Erlang/OTP (otp_peer.escript)',
  reading: 'skipped: no `escript` on PATH (install Erlang/OTP, e.g. apt-get install erlang-base)',
  samples: {},
});

export async function measure({ reps = 5, repMs = 250, cycles = 10_000, maxMs = 2000 } = {}) {
  const rows = [
    ['otp-calls', 'call round-trips vs gen_server:call, 5 s timeout', 'calls/s'],
    ['otp-calls-no-timeout', "call round-trips vs gen_server:call, 'infinity'", 'calls/s'],
    ['otp-restarts', 'crash -> restart cycles vs OTP supervisor (intensity 1e9/1 s)', 'restarts/s'],
  ];
  const otp = await startOtp();
  if (!otp) return rows.map(([rowId, measurement, unit]) => skipped(rowId, measurement, unit));
  const out = [];
  try {
    for (const timeout of [5000, 'infinity']) {
      const quiesce = await quiesceSide(timeout);
      // Warm-up on both sides.
      await rate(quiesce.batch, { batchSize: BATCH, minMs: 150 });
      await otp.ask(`calls ${timeout} 150`);
      const { medians, samples } = await sideBySide(reps, {
        quiesce: () => rate(quiesce.batch, { batchSize: BATCH, minMs: repMs }),
        peer: () => otp.ask(`calls ${timeout} ${repMs}`),
      });
      await quiesce.close();
      const [rowId, measurement, unit] = rows[timeout === 'infinity' ? 1 : 0];
      const ratio = medians.quiesce / medians.peer;
      out.push({
        id: rowId,
        measurement,
        unit,
        better: 'higher',
        quiesce: medians.quiesce,
        peer: medians.peer,
        peerName: `gen_server:call(Server, N, ${timeout}) to an echo gen_server, from the escript's main process (OTP ${otp.release}, +S 1)`,
        ratio,
        target: CALL_TARGET,
        reading: `${ratio >= 1 ? `Quiesce ${ratio.toFixed(2)}× faster` : `OTP ${(1 / ratio).toFixed(2)}× faster`} (aim ${CALL_TARGET}×: ${ratio >= CALL_TARGET ? 'met' : 'not met'})`,
        samples,
      });
    }
    await quiesceRestarts(cycles / 4, 500);
    await otp.ask(`restarts ${cycles / 4} 500`);
    const { medians, samples } = await sideBySide(reps, {
      quiesce: async () => (await quiesceRestarts(cycles, maxMs)).perSecond,
      peer: () => otp.ask(`restarts ${cycles} ${maxMs}`),
    });
    const [rowId, measurement, unit] = rows[2];
    out.push({
      id: rowId,
      measurement,
      unit,
      better: 'higher',
      quiesce: medians.quiesce,
      peer: medians.peer,
      peerName: `an OTP supervisor (one_for_one, intensity 1e9 in 1 s) restarting a gen_server that crashes on a message; ${cycles.toLocaleString('en-US')} cycles or ${maxMs} ms per rep, one in flight`,
      ratio: medians.quiesce / medians.peer,
      samples,
    });
  } finally {
    otp.close();
  }
  return out;
}
