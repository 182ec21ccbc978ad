import { loadConfig } from '../config.js';
import { startPlatform } from '../bootstrap.js';

const platform = await startPlatform(loadConfig());
console.log('Database migrated.');
await platform.close();
