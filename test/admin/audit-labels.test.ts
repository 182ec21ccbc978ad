// Every action key that src/ records (deps.audit.record / recordMany, and the households' wrapper)
// has a French label in the catalogue (admin.audit.actions.*), so that the audit log never shows a
// raw key. A key built at run time is listed below with the values it takes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/web/i18n.js';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Action arguments that are not plain literals, and the keys they stand for. */
const DYNAMIC: Record<string, string[]> = {
  '`requests.${status}`': ['submitted', 'in_review', 'incomplete', 'accepted', 'refused', 'cancelled'].map(
    (s) => `requests.${s}`,
  ),
  '`reservations.${status}`': [
    'reservations.cancelled',
    'reservations.late_cancelled',
    'reservations.cancelled_free',
  ],
  // src/accounts/password-reset.ts: the staff invitation or the reset.
  action: ['account.password_set', 'account.password_reset'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The third argument of each audit call in a source text. */
function actionArguments(source: string): string[] {
  const found: string[] = [];
  const call = /(?:\baudit\.record(?:Many)?|\baudit|householdAudit\(deps\))\(/g;
  for (let m = call.exec(source); m; m = call.exec(source)) {
    const args: string[] = [];
    let depth = 1;
    let current = '';
    for (let i = m.index + m[0].length; i < source.length && depth > 0; i++) {
      const c = source[i]!;
      if ('([{'.includes(c)) depth++;
      if (')]}'.includes(c)) depth--;
      if (depth === 1 && c === ',') {
        args.push(current.trim());
        current = '';
      } else if (depth > 0) current += c;
    }
    args.push(current.trim());
    if (args.length >= 3) found.push(args[2]!);
  }
  return found;
}

function recordedKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const file of files(SRC)) {
    const where = path.relative(SRC, file);
    for (const arg of actionArguments(readFileSync(file, 'utf8'))) {
      const literals = [...arg.matchAll(/'([a-z0-9_]+\.[a-z0-9_]+)'/g)].map((x) => x[1]!);
      const expanded = literals.length ? literals : DYNAMIC[arg];
      if (!expanded) throw new Error(`${where}: action ${arg} is neither a literal nor listed in DYNAMIC`);
      for (const key of expanded) keys.set(key, where);
    }
  }
  return keys;
}

describe('the audit action catalogue', () => {
  it('has a French label for every action key recorded in src/', () => {
    const catalogue = loadCatalogue('fr') as {
      admin: { audit: { actions: Record<string, Record<string, string>> } };
    };
    const actions = catalogue.admin.audit.actions;
    const keys = recordedKeys();
    // The scan finds the calls (a broken scan would pass vacuously).
    expect(keys.size).toBeGreaterThan(60);
    expect(keys.get('documents.rejected')).toBe(path.join('documents', 'review.ts'));
    const missing = [...keys]
      .filter(([key]) => {
        const [prefix, name] = key.split('.') as [string, string];
        return typeof actions[prefix]?.[name] !== 'string' || !actions[prefix][name].trim();
      })
      .map(([key, where]) => `${key} (${where})`);
    expect(missing).toEqual([]);
  });
});
