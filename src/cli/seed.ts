import { loadConfig } from '../config.js';
import { startPlatform } from '../bootstrap.js';
import { runSeeds } from '../platform/seeds.js';

const platform = await startPlatform(loadConfig());
const files = await runSeeds(platform.deps);
console.log(`Demo data checked (${files.length} seed files).`);
await platform.close();
