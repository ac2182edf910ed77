// The job queue's worker: a real OS process reading one JSON job per line on stdin and writing
// one JSON result per line on stdout. `crash` exits the process abruptly; `hang` never answers.
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const job = JSON.parse(line);
  if (job.task === 'crash') process.exit(70);
  if (job.task === 'hang') return;
  process.stdout.write(`${JSON.stringify({ id: job.id, result: `echo:${job.input ?? ''}` })}\n`);
});
lines.on('close', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
