// Every catalogue key used in code and views exists in French (the portal's one language). Catches a typo before a parent sees "documents.erors.x".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/platform/paths.js';
import { loadCatalogue } from '../../src/web/i18n.js';

type Tree = { [k: string]: string | Tree | string[] | Tree[] };

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...files(full, ext));
    else if (ext.test(entry)) out.push(full);
  }
  return out;
}

function keysOf(tree: Tree, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    out.add(key);
    if (v && typeof v === 'object' && !Array.isArray(v))
      for (const sub of keysOf(v as Tree, key)) out.add(sub);
  }
  return out;
}

const fr = keysOf(loadCatalogue('fr') as Tree);
const exists = (key: string) => fr.has(key) || fr.has(`${key}_one`) || fr.has(`${key}_other`);

describe('translations', () => {
  it('every t("…") key of the views and the code exists in locales/fr', () => {
    const used = new Map<string, string>();
    const sources = [...files(path.join(ROOT, 'views'), /\.ejs$/), ...files(path.join(ROOT, 'src'), /\.ts$/)];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b(?:t|tFr|i18n\.t)\(\s*'([a-zA-Z][\w-]*(?:\.[\w-]+)+)'\s*[,)]/g))
        used.set(m[1]!, path.relative(ROOT, file));
    }
    const missing = [...used].filter(([key]) => !exists(key)).map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
  });

  it('every error key given to zod in schemas exists in locales/fr', () => {
    const missing: string[] = [];
    for (const file of files(path.join(ROOT, 'src'), /schemas?\.ts$/)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/'([a-z][\w-]*\.errors\.[\w.-]+)'/g))
        if (!exists(m[1]!)) missing.push(`${m[1]} (${path.relative(ROOT, file)})`);
    }
    expect(missing).toEqual([]);
  });

  it('speaks French only: no other catalogue lies half-done beside it', () => {
    expect(readdirSync(path.join(ROOT, 'locales')).sort()).toEqual(['fr', 'fr.json']);
  });
});
