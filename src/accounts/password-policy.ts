// The password rule (CNIL délibération 2022-100, OWASP ASVS V6): 12+ characters with upper case,
// lower case, digit and symbol, or 16+ of any kind; at most 128; never the email, never a common
// password. The list ships in data/common-passwords.txt (no network at run time).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../platform/paths.js';

const PASSWORD_MIN_COMPLEX = 12;
const PASSWORD_MIN_ANY = 16;
const PASSWORD_MAX = 128;

let common: Set<string> | null = null;

/** Loaded on first use, not at import time. */
function commonPasswords(): Set<string> {
  if (!common) {
    const text = readFileSync(path.join(ROOT, 'data', 'common-passwords.txt'), 'utf8');
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

/** The catalogue key of the broken rule, or null when the password is acceptable. */
export function passwordProblem(password: string, email = ''): string | null {
  const length = [...password].length;
  if (length > PASSWORD_MAX) return 'accounts.password.tooLong';
  const classes = [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((re) =>
    re.test(password),
  ).length;
  if (length < PASSWORD_MIN_COMPLEX || (length < PASSWORD_MIN_ANY && classes < 4))
    return 'accounts.password.tooWeak';
  const lower = password.toLowerCase();
  const local = email.trim().toLowerCase().split('@')[0] ?? '';
  if (email && (lower.includes(email.trim().toLowerCase()) || (local.length >= 4 && lower.includes(local))))
    return 'accounts.password.containsEmail';
  // "Azerty123456!" passes the classes but is "azerty" dressed up: strip what is around the letters too.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  const list = commonPasswords();
  if (list.has(lower) || (core.length >= 4 && list.has(core))) return 'accounts.password.common';
  return null;
}
