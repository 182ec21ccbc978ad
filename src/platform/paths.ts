// Project folders, found from this file so that tsx (src/) and the build (dist/src/) agree.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + start);
    dir = parent;
  }
  return dir;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = findRoot(HERE);
export const VIEWS_DIR = path.join(ROOT, 'views');
export const PUBLIC_DIR = path.join(ROOT, 'public');
export const LOCALES_DIR = path.join(ROOT, 'locales');
// Code folders are found next to this file's tree: src/ with tsx, dist/ once compiled.
export const MIGRATIONS_DIR = path.resolve(HERE, '../../migrations');
export const SEEDS_DIR = path.resolve(HERE, '../../seeds');

export function resolveDataDir(dataDir: string): string {
  return path.resolve(ROOT, dataDir);
}
