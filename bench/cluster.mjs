// Loaded with `node --import` by the bench harness for `--processes N` (N > 1): the process started
// becomes a node:cluster primary that runs dist/src/server.js in N workers sharing its port, and
// never runs it itself. Sessions, rate limits, seats and numbering are decided in PostgreSQL, so
// several processes are safe; this measures what they give on the machine at hand.
import cluster from 'node:cluster';
import { setTimeout } from 'node:timers';

if (cluster.isPrimary) {
  const workers = Number(process.env.BENCH_PROCESSES ?? 2);
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 1000).unref();
  });
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  // The main module (the server) must not run in the primary: wait here for good.
  await new Promise(() => {});
}
