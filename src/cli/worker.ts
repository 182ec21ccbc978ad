// The job runner on its own (several app instances can then run with RUN_WORKER=false).
import { loadConfig } from '../config.js';
import { startPlatform } from '../bootstrap.js';
import { createWorker } from '../worker.js';

const platform = await startPlatform(loadConfig());
const worker = createWorker(platform.deps, platform.databaseUrl);
await worker.start();
platform.deps.logger.info('worker started');
const stop = async () => {
  await worker.stop();
  await platform.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
