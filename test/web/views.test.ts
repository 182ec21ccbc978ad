// Includes are written from the views folder (`include('/partials/field')`): ejs looks a relative
// one up on disk (existsSync) at every render, once per include per page — ≈ 3 % of the staff
// search page's CPU. Each must also name a view that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIEWS_DIR } from '../../src/platform/paths.js';

function views(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? views(path.join(dir, e.name)) : e.name.endsWith('.ejs') ? [path.join(dir, e.name)] : []));
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
        else if (!existsSync(path.join(VIEWS_DIR, name.endsWith('.ejs') ? name : `${name}.ejs`))) missing.push(where);
      }
    }
    expect(relative).toEqual([]);
    expect(missing).toEqual([]);
  });
});

describe('escapeHtml', () => {
  it('writes exactly what ejs would escape, and the text as is when there is nothing to escape', async () => {
    const { escapeHtml } = await import('../../src/web/render.js');
    const ejs = (await import('ejs')).default as unknown as { escapeXML: (v: unknown) => string };
    const values: unknown[] = ['Léa', '', 'a & b', '<script>alert("x")</script>', "l'école", '&amp;', '"\'<>&', 0, 42, 3.5, -1, true, false, null, undefined, { toString: () => '<b>' }, ['a', '<'], new Date(0)];
    for (const v of values) expect([v, escapeHtml(v)]).toEqual([v, ejs.escapeXML(v)]);
  });
});
