// i18next over locales/fr.json plus one catalogue per feature in locales/fr/<feature>.json,
// deep-merged into one "translation" namespace. The portal speaks French only: no language is
// threaded through the code (a second language would come with a complete catalogue).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { LOCALES_DIR } from '../platform/paths.js';

export type T = TFunction;

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
    for (const f of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      merge(tree, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Tree);
    }
  }
  return tree;
}

const instance = i18next.createInstance();
let ready = false;

function initI18n(): typeof instance {
  if (ready) return instance;
  void instance.init({
    initAsync: false,
    lng: 'fr',
    fallbackLng: 'fr',
    supportedLngs: ['fr'],
    resources: { fr: { translation: loadCatalogue('fr') } },
    interpolation: { escapeValue: false }, // EJS escapes with <%= %>
    returnNull: false,
  });
  ready = true;
  return instance;
}

/** The translation function (i18next's interpolation and plurals). */
export function getT(): T {
  return initI18n().getFixedT('fr');
}

/** The French translation function, for services that write emails and messages. */
export const tFr: T = ((...args: Parameters<T>) => getT()(...args)) as T;
