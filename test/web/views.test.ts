// Includes are written from the views folder (`include('/partials/field')`), one way for every
// view, and each names a view that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIEWS_DIR } from '../../src/platform/paths.js';

function views(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? views(path.join(dir, e.name)) : e.name.endsWith('.ejs') ? [path.join(dir, e.name)] : [],
  );
}

describe('view includes', () => {
  it('are written from the views folder and name an existing view', () => {
    const relative: string[] = [];
    const missing: string[] = [];
    for (const file of views(VIEWS_DIR)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/include\(\s*(['"`])([^'"`]+)\1/g)) {
        const name = m[2]!;
        const where = `${path.relative(VIEWS_DIR, file)}: ${name}`;
        if (!name.startsWith('/')) relative.push(where);
        else if (!existsSync(path.join(VIEWS_DIR, name.endsWith('.ejs') ? name : `${name}.ejs`)))
          missing.push(where);
      }
    }
    expect(relative).toEqual([]);
    expect(missing).toEqual([]);
  });
});
