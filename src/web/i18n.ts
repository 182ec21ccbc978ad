// i18next over locales/<lang>.json plus one catalogue per feature in locales/<lang>/<feature>.json,
// deep-merged into one "translation" namespace. French is complete; English falls back to French.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { LOCALES_DIR } from '../platform/paths.js';

export type T = TFunction;
export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

type Tree = { [key: string]: string | Tree };

function merge(target: Tree, source: Tree): Tree {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k];
    if (typeof v === 'object' && typeof existing === 'object') merge(existing, v);
    else target[k] = v;
  }
  return target;
}

export function loadCatalogue(lang: string): Tree {
  const tree: Tree = {};
  const main = path.join(LOCALES_DIR, `${lang}.json`);
  if (existsSync(main)) merge(tree, JSON.parse(readFileSync(main, 'utf8')) as Tree);
  const dir = path.join(LOCALES_DIR, lang);
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      merge(tree, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Tree);
    }
  }
  return tree;
}

const instance = i18next.createInstance();
let ready = false;

export function initI18n(): typeof instance {
  if (ready) return instance;
  void instance.init({
    initAsync: false,
    lng: 'fr',
    fallbackLng: 'fr',
    supportedLngs: [...LANGUAGES],
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: loadCatalogue(l) }])),
    interpolation: { escapeValue: false }, // EJS escapes with <%= %>
    returnNull: false,
  });
  ready = true;
  return instance;
}

const fixedTs = new Map<Language, T>();
/** Bounds the memo below whatever keys are built from data (request types, statuses…). */
const MEMO_LIMIT = 10_000;

/** A catalogue string cut at its `{{name}}` placeholders (parts: [text, name, text, …, text]) and the names it has. */
interface Template {
  parts: string[];
  names: Set<string>;
}
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** Options i18next reads itself (plural, context…): never filled in by hand. */
const RESERVED = new Set(['count', 'context', 'ordinal', 'defaultValue', 'lng', 'lngs', 'ns', 'replace', 'interpolation', 'postProcess', 'returnObjects', 'returnDetails', 'joinArrays', 'keySeparator', 'nsSeparator', 'fallbackLng']);

/** The template of a string with only plain `{{name}}` placeholders; null when i18next must do it (formats, nesting, `{{- x}}`). */
function templateOf(text: unknown): Template | null {
  if (typeof text !== 'string' || text.includes('$t(')) return null;
  const parts = text.split(PLACEHOLDER);
  // Anything else between braces (a format, an unescaped `{{- x}}`) is left to i18next.
  if (parts.some((p, i) => i % 2 === 0 && p.includes('{{'))) return null;
  return { parts, names: new Set(parts.filter((_, i) => i % 2 === 1)) };
}

/**
 * The template filled with `vars`, or undefined when they are not exactly its placeholders, each a
 * string or a number. `plural`: vars hold the `count` that chose this plural form, which the text
 * may leave out.
 */
function fill({ parts, names }: Template, vars: Record<string, unknown>, plural = false): string | undefined {
  const given = Object.keys(vars);
  const unshownCount = plural && !names.has('count') ? 1 : 0;
  // Every placeholder is filled below, so the same count means no value beyond them.
  if (given.length !== names.size + unshownCount || given.some((n) => RESERVED.has(n) && !(plural && n === 'count'))) return undefined;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const value = Object.hasOwn(vars, parts[i]!) ? vars[parts[i]!] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    out += String(value) + parts[i + 1]!;
  }
  return out;
}

/**
 * The translation function of a language. The catalogues are loaded once and never change while
 * the process runs, so a key asked without options always gives the same string: it is looked up
 * once (i18next's lookup was ≈ 10 % of a page's CPU, the layout alone asks for dozens of labels).
 * A key asked with only its `{{name}}` values (strings or numbers) is filled from its looked-up
 * template, as i18next would (no escaping: EJS escapes); anything else (plurals, context, formats,
 * nesting) goes to i18next (its interpolation was ≈ 5 % of the dashboard's CPU).
 */
export function getT(lang: Language = 'fr'): T {
  let t = fixedTs.get(lang);
  if (t) return t;
  const base = initI18n().getFixedT(lang) as unknown as (...args: unknown[]) => unknown;
  const memo = new Map<string, unknown>();
  const templates = new Map<string, Template | null>();
  const templateFor = (key: string) => {
    let template = templates.get(key);
    if (template === undefined) {
      template = templateOf(lookUp(key));
      if (templates.size < MEMO_LIMIT) templates.set(key, template);
    }
    return template;
  };
  // Plurals as i18next picks them: `key_zero` for 0 if there is one, else `key_<category>` (the
  // language's Intl plural rules), else `key`; only among this language's own strings (a fallback
  // to another language, and anything unusual, is i18next's).
  const rules = new Intl.PluralRules(lang);
  const own = (key: string) => typeof initI18n().getResource(lang, 'translation', key) === 'string';
  const pluralKeys = new Map<string, string | null>();
  const pluralKeyOf = (key: string, count: number) => {
    // By count: Intl's select() is itself a good part of the cost.
    const memoKey = `${key}\u0000${count}`;
    let found = pluralKeys.get(memoKey);
    if (found === undefined) {
      const candidates = [...(count === 0 ? [`${key}_zero`] : []), `${key}_${rules.select(count)}`, key];
      found = candidates.find(own) ?? null;
      if (pluralKeys.size < MEMO_LIMIT) pluralKeys.set(memoKey, found);
    }
    return found;
  };
  const lookUp = (key: string) => {
    let value = memo.get(key);
    if (value === undefined) {
      value = base(key);
      if (memo.size < MEMO_LIMIT) memo.set(key, value);
    }
    return value;
  };
  t = ((...args: unknown[]) => {
    const key = args[0];
    if (typeof key !== 'string') return base(...args);
    if (args.length === 1) return lookUp(key);
    const vars = args[1];
    if (args.length === 2 && vars !== null && typeof vars === 'object' && Object.getPrototypeOf(vars) === Object.prototype) {
      const count = (vars as { count?: unknown }).count;
      if (Object.hasOwn(vars, 'count')) {
        // i18next's plural lookup (≈ 0.07 ms a call: 6 % of the staff search page's CPU for one count).
        const pluralKey = typeof count === 'number' && Number.isFinite(count) ? pluralKeyOf(key, count) : null;
        const template = pluralKey === null ? null : templateFor(pluralKey);
        const text = template && fill(template, vars as Record<string, unknown>, true);
        if (text !== undefined && text !== null) return text;
        return base(...args);
      }
      const template = templateFor(key);
      const text = template && fill(template, vars as Record<string, unknown>);
      if (text !== undefined && text !== null) return text;
    }
    return base(...args);
  }) as unknown as T;
  fixedTs.set(lang, t);
  return t;
}

/** The French translation function, for services that write emails and messages. */
export const tFr: T = ((...args: Parameters<T>) => getT('fr')(...args)) as T;
