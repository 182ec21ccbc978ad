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

/**
 * The translation function of a language. The catalogues are loaded once and never change while
 * the process runs, so a key asked without options always gives the same string: it is looked up
 * once (i18next's lookup was ≈ 10 % of a page's CPU, the layout alone asks for dozens of labels).
 */
export function getT(lang: Language = 'fr'): T {
  let t = fixedTs.get(lang);
  if (t) return t;
  const base = initI18n().getFixedT(lang) as unknown as (...args: unknown[]) => unknown;
  const memo = new Map<string, unknown>();
  t = ((...args: unknown[]) => {
    const key = args[0];
    if (args.length !== 1 || typeof key !== 'string') return base(...args);
    let value = memo.get(key);
    if (value === undefined) {
      value = base(key);
      if (memo.size < MEMO_LIMIT) memo.set(key, value);
    }
    return value;
  }) as unknown as T;
  fixedTs.set(lang, t);
  return t;
}

/** The French translation function, for services that write emails and messages. */
export const tFr: T = ((...args: Parameters<T>) => getT('fr')(...args)) as T;
