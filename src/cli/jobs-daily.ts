// Runs the daily jobs once, now (`npm run jobs:daily`).
import { loadConfig } from '../config.js';
import { startPlatform } from '../bootstrap.js';
import { allJobs } from '../worker.js';

const platform = await startPlatform(loadConfig());
for (const job of allJobs(platform.deps).filter((j) => j.name.startsWith('daily.'))) {
  console.log(`Running ${job.name}…`);
  await job.handler({});
}
await platform.close();
