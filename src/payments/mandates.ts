// SEPA mandates as other features read them, and the rule that puts a household's new
// invoices under direct debit once its mandate is active.
import type { Queryable } from '../platform/db.js';

export interface MandateRow {
  id: number;
  household_id: number;
  holder: string;
  iban: string;
  bic: string | null;
  address: string;
  consent_at: Date;
  signed_on: string | null;
  rum: string | null;
  status: 'requested' | 'active' | 'revoked' | 'refused' | 'cancelled';
  first_debit_done: boolean;
  request_id: number | null;
  requested_by: number | null;
  created_at: Date;
  activated_at: Date | null;
  ended_at: Date | null;
}

/** The household's active mandate, if any (billing's invoicing run may call this). */
export function mandateFor(q: Queryable, householdId: number): Promise<MandateRow | undefined> {
  return q('sepa_mandates').where({ household_id: householdId, status: 'active' }).first() as Promise<MandateRow | undefined>;
}

/** The household's mandate being requested or active. */
export function openMandateOf(q: Queryable, householdId: number): Promise<MandateRow | undefined> {
  return q('sepa_mandates').where({ household_id: householdId }).whereIn('status', ['requested', 'active']).first() as Promise<MandateRow | undefined>;
}

/**
 * Marks "prélèvement prévu" (on the invoice's due date) the unpaid invoices a household received
 * after its mandate became active, unless a direct debit of that invoice was already rejected
 * (the parent then pays another way). Set-based; for one household or all.
 */
export async function planDirectDebits(q: Queryable, householdId?: number): Promise<number> {
  const params: number[] = [];
  let only = '';
  if (householdId !== undefined) {
    only = 'AND i.household_id = ?';
    params.push(householdId);
  }
  const result = await q.raw(
    `UPDATE invoices i SET status = 'direct_debit_planned', direct_debit_on = i.due_on
       FROM sepa_mandates m
      WHERE m.household_id = i.household_id AND m.status = 'active'
        AND i.kind = 'invoice' AND i.status = 'unpaid' AND i.paid_cents = 0
        AND i.issued_at >= m.activated_at ${only}
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id AND p.method = 'direct_debit' AND p.status = 'rejected')`,
    params,
  );
  return (result as { rowCount: number }).rowCount;
}

/** "FR76 •••• •••• 0185": enough for the parent to recognise the account, not to use it. */
export function maskIban(iban: string): string {
  const clean = iban.replace(/\s+/g, '');
  return `${clean.slice(0, 4)} •••• •••• ${clean.slice(-4)}`;
}
