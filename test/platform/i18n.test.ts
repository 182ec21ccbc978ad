// Every catalogue key used in code and views exists in French (the complete catalogue), and the
// English catalogue has no key French lacks. Catches a typo before a parent sees "documents.erors.x".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/platform/paths.js';
import { getT, initI18n, loadCatalogue } from '../../src/web/i18n.js';

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
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const sub of keysOf(v as Tree, key)) out.add(sub);
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
      for (const m of text.matchAll(/\b(?:t|tFr|i18n\.t)\(\s*'([a-zA-Z][\w-]*(?:\.[\w-]+)+)'\s*[,)]/g)) used.set(m[1]!, path.relative(ROOT, file));
    }
    const missing = [...used].filter(([key]) => !exists(key)).map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
  });

  it('every error key given to zod in schemas exists in locales/fr', () => {
    const missing: string[] = [];
    for (const file of files(path.join(ROOT, 'src'), /schemas?\.ts$/)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/'([a-z][\w-]*\.errors\.[\w.-]+)'/g)) if (!exists(m[1]!)) missing.push(`${m[1]} (${path.relative(ROOT, file)})`);
    }
    expect(missing).toEqual([]);
  });

  it('English has no key that French lacks (missing English keys fall back to French)', () => {
    const en = keysOf(loadCatalogue('en') as Tree);
    expect([...en].filter((k) => !fr.has(k))).toEqual([]);
  });
});

describe('t() with values', () => {
  const i18n = (...args: unknown[]) => (initI18n().getFixedT('fr') as unknown as (...a: unknown[]) => unknown)(...args);
  const t = getT('fr') as unknown as (...a: unknown[]) => unknown;
  const strings = [...keysOf(loadCatalogue('fr') as Tree)].map((key) => [key, i18n(key)] as const).filter(([, v]) => typeof v === 'string' && v.includes('{{'));

  it('fills every catalogue string exactly as i18next does, whatever the values hold', () => {
    expect(strings.length).toBeGreaterThan(50);
    const tricky = ['Léa', 'A {{name}} $t(nav.login) <b>&', '', 42, 0, 3.5];
    for (const [key, text] of strings) {
      const names = [...new Set([...(text as string).matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]!))];
      for (const value of tricky) {
        const vars = Object.fromEntries(names.map((n) => [n, value]));
        expect([key, t(key, vars)]).toEqual([key, i18n(key, vars)]);
        // Missing, extra, null or reserved values: i18next's own answer too.
        expect(t(key, {})).toEqual(i18n(key, {}));
        expect(t(key, { ...vars, extra: 'x' })).toEqual(i18n(key, { ...vars, extra: 'x' }));
        expect(t(key, { ...vars, count: 2 })).toEqual(i18n(key, { ...vars, count: 2 }));
        expect(t(key, Object.fromEntries(names.map((n) => [n, null])))).toEqual(i18n(key, Object.fromEntries(names.map((n) => [n, null]))));
      }
    }
  });

  it('picks and fills every plural exactly as i18next does, in both languages', () => {
    const plurals = [...new Set([...keysOf(loadCatalogue('fr') as Tree)].filter((k) => /_(zero|one|two|few|many|other)$/.test(k)).map((k) => k.replace(/_[a-z]+$/, '')))];
    expect(plurals.length).toBeGreaterThan(5);
    for (const lang of ['fr', 'en'] as const) {
      const mine = getT(lang) as unknown as (...a: unknown[]) => unknown;
      const theirs = (...args: unknown[]) => (initI18n().getFixedT(lang) as unknown as (...a: unknown[]) => unknown)(...args);
      for (const key of plurals) {
        const forms = ['zero', 'one', 'other', 'many'].map((f) => theirs(`${key}_${f}`)).join(' ');
        const names = [...new Set([...forms.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]!))].filter((n) => n !== 'count');
        for (const count of [0, 1, 2, 5, 1.5, -1, 1_000_000, Number.NaN]) {
          for (const value of ['Léa', 7]) {
            const vars = { count, ...Object.fromEntries(names.map((n) => [n, value])) };
            expect([lang, key, count, mine(key, vars)]).toEqual([lang, key, count, theirs(key, vars)]);
          }
          expect(mine(key, { count, extra: 'x' })).toEqual(theirs(key, { count, extra: 'x' }));
          expect(mine(key, { count, context: 'x' })).toEqual(theirs(key, { count, context: 'x' }));
        }
        expect(mine(key, { count: '2' })).toEqual(theirs(key, { count: '2' }));
        expect(mine(key, { count: null })).toEqual(theirs(key, { count: null }));
      }
    }
  });

  it('keeps unknown keys to i18next', () => {
    expect(t('no.such.key', { name: 'x' })).toBe('no.such.key');
    expect(t('no.such.key', { count: 2 })).toBe(i18n('no.such.key', { count: 2 }));
  });
});
