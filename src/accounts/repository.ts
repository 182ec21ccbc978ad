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
  q<AccountRow>('accounts').whereRaw('lower(email) = lower(?)', [email.trim()]).first() as Promise<AccountRow | undefined>;

export async function insertAccount(
  q: Queryable,
  row: { email: string; password_hash: string | null; first_name: string; last_name: string; role: Role; created_at: Date; email_verified_at?: Date | null; totp_secret?: string | null; totp_enabled_at?: Date | null; personal_data_notice_accepted_at?: Date | null },
): Promise<number> {
  const [r] = await q('accounts').insert({ ...row, email: row.email.trim() }).returning('id');
  return (r as { id: number }).id;
}

export async function loadCurrentAccount(q: Queryable, id: number): Promise<CurrentAccount | null> {
  const row = await q<AccountRow>('accounts')
    .select('id', 'email', 'first_name', 'last_name', 'role')
    .where({ id })
    .whereNull('disabled_at')
    .first();
  if (!row) return null;
  return { id: row.id, email: row.email, firstName: row.first_name, lastName: row.last_name, role: row.role };
}

export const touchLastLogin = (q: Queryable, id: number, at: Date) => q('accounts').where({ id }).update({ last_login_at: at });
