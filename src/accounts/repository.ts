// SQL for accounts. No rules here.
import type { Queryable } from '../platform/db.js';
import type { CurrentAccount, Role } from '../web/types.js';

export interface AccountRow {
  id: number;
  email: string;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  role: Role;
  email_verified_at: Date | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
  last_login_at: Date | null;
}

export const findAccountById = (q: Queryable, id: number) =>
  q<AccountRow>('accounts').where({ id }).first() as Promise<AccountRow | undefined>;

export const findAccountByEmail = (q: Queryable, email: string) =>
  q<AccountRow>('accounts').whereRaw('lower(email) = lower(?)', [email.trim()]).first() as Promise<
    AccountRow | undefined
  >;

export async function insertAccount(
  q: Queryable,
  row: {
    email: string;
    password_hash: string | null;
    first_name: string;
    last_name: string;
    role: Role;
    created_at: Date;
    email_verified_at?: Date | null;
    totp_secret?: string | null;
    totp_enabled_at?: Date | null;
    personal_data_notice_accepted_at?: Date | null;
  },
): Promise<number> {
  const [r] = await q('accounts')
    .insert({ ...row, email: row.email.trim() })
    .returning('id');
  return (r as { id: number }).id;
}

type CurrentAccountRow = Pick<AccountRow, 'id' | 'email' | 'first_name' | 'last_name' | 'role'> & {
  household_id: number | null;
};

// The columns of the logged-in account and its household (what householdIdOf answers), in one statement.
const CURRENT_ACCOUNT_COLUMNS = `a.id, a.email, a.first_name, a.last_name, a.role,
  (SELECT ha.household_id FROM household_accounts ha WHERE ha.account_id = a.id LIMIT 1) AS household_id`;

const toCurrentAccount = (row: CurrentAccountRow): CurrentAccount => ({
  id: row.id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  role: row.role,
  householdId: row.household_id === null ? null : Number(row.household_id),
});

export async function loadCurrentAccount(q: Queryable, id: number): Promise<CurrentAccount | null> {
  const { rows } = await q.raw(
    `SELECT ${CURRENT_ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ? AND a.disabled_at IS NULL`,
    [id],
  );
  return rows[0] ? toCurrentAccount(rows[0] as CurrentAccountRow) : null;
}

export const touchLastLogin = (q: Queryable, id: number, at: Date) =>
  q('accounts').where({ id }).update({ last_login_at: at });

export const updateAccount = (q: Queryable, id: number, patch: Record<string, unknown>) =>
  q('accounts').where({ id }).update(patch);

// --- One-time tokens (stored hashed) ---

export interface TokenRow {
  id: number;
  account_id: number;
  /** The account's address (lower-cased) when the link was sent: the link is good only while it has it. */
  account_email: string;
  kind: string;
  token_hash: string;
  data: Record<string, unknown>;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export async function insertToken(
  q: Queryable,
  row: {
    account_id: number;
    account_email: string;
    kind: string;
    token_hash: string;
    data?: Record<string, unknown>;
    created_at: Date;
    expires_at: Date;
  },
) {
  await q('account_tokens').insert({
    ...row,
    account_email: row.account_email.trim().toLowerCase(),
    data: JSON.stringify(row.data ?? {}),
  });
}

/**
 * The account with this address and, when it is active, a new password-reset token for it (its
 * unused ones retired), in one statement: asking for a reset makes the same round trips whether
 * or not the address has an account.
 */
export async function findAccountWithNewResetToken(
  q: Queryable,
  address: string,
  token: { token_hash: string; created_at: Date; expires_at: Date },
): Promise<AccountRow | undefined> {
  const { rows } = await q.raw(
    `WITH a AS (SELECT * FROM accounts WHERE lower(email) = lower(:address)),
     active AS (SELECT id, email FROM a WHERE disabled_at IS NULL),
     retired AS (
       UPDATE account_tokens SET used_at = :created_at
        WHERE account_id IN (SELECT id FROM active) AND kind = 'password_reset' AND used_at IS NULL),
     made AS (
       INSERT INTO account_tokens (account_id, account_email, kind, token_hash, data, created_at, expires_at)
       SELECT id, lower(email), 'password_reset', :token_hash, '{}', :created_at, :expires_at FROM active)
     SELECT * FROM a`,
    { address: address.trim(), ...token },
  );
  return (rows as AccountRow[])[0];
}

/** The unused, unexpired token, while its account still has the address the link was sent for. */
const usableToken = (q: Queryable, kinds: string[], tokenHash: string, now: Date) =>
  q<TokenRow>('account_tokens as t')
    .join('accounts as a', 'a.id', 't.account_id')
    .where('t.token_hash', tokenHash)
    .whereIn('t.kind', kinds)
    .whereNull('t.used_at')
    .where('t.expires_at', '>', now)
    .whereRaw('lower(a.email) = t.account_email')
    .first('t.*');

/** The usable token (see usableToken), its row and its account's locked for the caller's transaction. */
export const findUsableTokenForUpdate = (q: Queryable, kinds: string[], tokenHash: string, now: Date) =>
  usableToken(q, kinds, tokenHash, now).forUpdate() as Promise<TokenRow | undefined>;

export const findUsableToken = (q: Queryable, kinds: string[], tokenHash: string, now: Date) =>
  usableToken(q, kinds, tokenHash, now) as Promise<TokenRow | undefined>;

export const markTokenUsed = (q: Queryable, id: number, at: Date) =>
  q('account_tokens').where({ id }).update({ used_at: at });

/** Ends the still-valid tokens of a kind (a new link replaces the old ones). */
export const retireTokens = (q: Queryable, accountId: number, kinds: string[], at: Date) =>
  q('account_tokens')
    .where({ account_id: accountId })
    .whereIn('kind', kinds)
    .whereNull('used_at')
    .update({ used_at: at });

// --- Recovery codes ---

export async function replaceRecoveryCodes(q: Queryable, accountId: number, hashes: string[]) {
  await q('recovery_codes').where({ account_id: accountId }).delete();
  if (hashes.length)
    await q('recovery_codes').insert(hashes.map((code_hash) => ({ account_id: accountId, code_hash })));
}

/**
 * Records that a TOTP step was used to log in, unless that step or a later one already was: false
 * for a replayed code. One conditional UPDATE, so two logins racing with the same code get one yes.
 */
export async function claimTotpStep(q: Queryable, accountId: number, step: number): Promise<boolean> {
  const n = await q('accounts')
    .where({ id: accountId })
    .where((w) => w.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
    .update({ totp_last_step: step });
  return n > 0;
}

/** Marks one unused code as used; true when there was one. */
export async function useRecoveryCode(
  q: Queryable,
  accountId: number,
  hash: string,
  at: Date,
): Promise<boolean> {
  const n = await q('recovery_codes')
    .where({ account_id: accountId, code_hash: hash })
    .whereNull('used_at')
    .update({ used_at: at });
  return n > 0;
}

export async function countUnusedRecoveryCodes(q: Queryable, accountId: number): Promise<number> {
  const [r] = (await q('recovery_codes')
    .where({ account_id: accountId })
    .whereNull('used_at')
    .count({ n: '*' })) as [{ n: number }];
  return Number(r.n);
}

// --- Sessions (express-session's rows) ---

/** Deletes every session of the account except the one given (the person's current one). */
export const deleteSessionsOf = (q: Queryable, accountId: number, exceptSid?: string) =>
  q('sessions')
    .whereRaw("sess->'passport'->>'user' = ?", [String(accountId)])
    .modify((qb) => {
      if (exceptSid) qb.whereNot({ sid: exceptSid });
    })
    .delete();

// --- Logins (from the audit log) ---

export const recentLoginEvents = (q: Queryable, accountId: number, limit = 10) =>
  q('audit_events')
    .where({ subject_type: 'account', subject_id: String(accountId) })
    .whereIn('action', ['auth.login', 'auth.login_failed', 'auth.lockout'])
    .orderBy('id', 'desc')
    .limit(limit)
    .select('at', 'action') as Promise<{ at: Date; action: string }[]>;

// --- Staff ---

export interface StaffRow extends AccountRow {
  school_ids: number[];
}

export async function listStaff(q: Queryable): Promise<StaffRow[]> {
  const rows = (await q('accounts as a')
    .leftJoin('account_sites as s', 's.account_id', 'a.id')
    .whereNot('a.role', 'parent')
    .groupBy('a.id')
    .orderBy([{ column: 'a.last_name' }, { column: 'a.first_name' }, { column: 'a.id' }])
    .select(
      'a.*',
      q.raw("coalesce(array_agg(s.school_id) filter (where s.school_id is not null), '{}') as school_ids"),
    )) as StaffRow[];
  return rows;
}

export async function findStaff(q: Queryable, id: number): Promise<StaffRow | undefined> {
  const row = (await q('accounts').where({ id }).whereNot('role', 'parent').first()) as
    AccountRow | undefined;
  if (!row) return undefined;
  const sites = await q('account_sites').where({ account_id: id }).pluck('school_id');
  return { ...row, school_ids: sites.map(Number) };
}

export async function setSites(q: Queryable, accountId: number, schoolIds: number[]) {
  await q('account_sites').where({ account_id: accountId }).delete();
  if (schoolIds.length)
    await q('account_sites').insert(schoolIds.map((school_id) => ({ account_id: accountId, school_id })));
}

export const listSchools = (q: Queryable) =>
  q('schools').orderBy('name').select('id', 'name') as Promise<{ id: number; name: string }[]>;
