// SQL for the family-card activation codes (stored hashed). No rules here.
import type { Queryable } from '../platform/db.js';

export interface ActivationCodeRow {
  id: number;
  household_id: number;
  code_hash: string;
  created_by: number | null;
  created_at: Date;
  expires_at: Date;
  failed_attempts: number;
  locked_at: Date | null;
  used_at: Date | null;
  used_by: number | null;
  revoked_at: Date | null;
}

/** The household's current code (the newest one not revoked), if any. */
export const currentActivationCode = (q: Queryable, householdId: number) =>
  q<ActivationCodeRow>('activation_codes')
    .where({ household_id: householdId })
    .whereNull('revoked_at')
    .orderBy('id', 'desc')
    .first() as Promise<ActivationCodeRow | undefined>;

export const lockActivationCodeRow = (q: Queryable, id: number) =>
  q<ActivationCodeRow>('activation_codes').where({ id }).forUpdate().first() as Promise<
    ActivationCodeRow | undefined
  >;

export const revokeActivationCodes = (q: Queryable, householdId: number, at: Date) =>
  q('activation_codes')
    .where({ household_id: householdId })
    .whereNull('revoked_at')
    .whereNull('used_at')
    .update({ revoked_at: at });

export const insertActivationCode = (
  q: Queryable,
  row: Omit<ActivationCodeRow, 'id' | 'failed_attempts' | 'locked_at' | 'used_at' | 'used_by' | 'revoked_at'>,
) => q('activation_codes').insert(row);

export const updateActivationCode = (q: Queryable, id: number, patch: Partial<ActivationCodeRow>) =>
  q('activation_codes').where({ id }).update(patch);
