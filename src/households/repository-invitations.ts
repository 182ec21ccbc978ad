// SQL for the invitations of a second guardian (tokens stored hashed). No rules here.
import type { Queryable } from '../platform/db.js';

export interface InvitationRow {
  id: number;
  household_id: number;
  email: string;
  token_hash: string;
  invited_by: number;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: number | null;
}

export async function insertInvitation(
  q: Queryable,
  row: Omit<InvitationRow, 'id' | 'accepted_at' | 'accepted_by'>,
): Promise<number> {
  const [r] = await q('household_invitations').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const findInvitationByHash = (q: Queryable, tokenHash: string) =>
  q<InvitationRow>('household_invitations').where({ token_hash: tokenHash }).first() as Promise<
    InvitationRow | undefined
  >;

export const findInvitationOfHousehold = (q: Queryable, householdId: number, id: number) =>
  q<InvitationRow>('household_invitations').where({ household_id: householdId, id }).first() as Promise<
    InvitationRow | undefined
  >;

export const pendingInvitations = (q: Queryable, householdId: number, now: Date) =>
  q<InvitationRow>('household_invitations')
    .where({ household_id: householdId })
    .whereNull('accepted_at')
    .where('expires_at', '>', now)
    .orderBy('created_at') as Promise<InvitationRow[]>;

export const deleteInvitation = (q: Queryable, id: number) =>
  q('household_invitations').where({ id }).delete();
