// Demo data: every file in seeds/ exports `seed(deps)`, run in name order. Seeds insert only what
// is missing, so each feature can add its demo data to an existing database.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppDeps } from '../deps.js';
import { SEEDS_DIR } from './paths.js';

export async function runSeeds(deps: AppDeps): Promise<string[]> {
  const files = readdirSync(SEEDS_DIR)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(SEEDS_DIR, file)).href)) as {
      seed: (deps: AppDeps) => Promise<void>;
    };
    await mod.seed(deps);
  }
  deps.logger.info({ seeds: files.length }, 'demo data checked');
  return files;
}
