// SEPA mandates as other features read them, and the rule that puts a household's new
// invoices under direct debit once its mandate is active.
import { markDirectDebitsPlanned } from '../billing/service.js';
import type { Queryable, Tx } from '../platform/db.js';

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
  return q('sepa_mandates').where({ household_id: householdId, status: 'active' }).first() as Promise<
    MandateRow | undefined
  >;
}

/** The household's mandate being requested or active. */
export function openMandateOf(q: Queryable, householdId: number): Promise<MandateRow | undefined> {
  return q('sepa_mandates')
    .where({ household_id: householdId })
    .whereIn('status', ['requested', 'active'])
    .first() as Promise<MandateRow | undefined>;
}

/**
 * Marks "prélèvement prévu" (on the invoice's due date) the unpaid invoices a household received
 * after its mandate became active, unless a direct debit of that invoice was already rejected
 * (the parent then pays another way). Through billing's markDirectDebitsPlanned, in the caller's
 * transaction: where the facts change (the invoicing run's batch for its new invoices, a mandate's
 * activation for its household), before a SEPA export, and in the daily job as a safety net for
 * what those missed (a run and an activation committing at the same time). Idempotent. Never from
 * a page view: reading an invoice does not change it.
 */
export async function planDirectDebits(
  tx: Tx,
  scope: { householdId?: number; invoiceIds?: number[] } = {},
): Promise<number> {
  if (scope.invoiceIds && !scope.invoiceIds.length) return 0;
  const ids = (await tx('invoices as i')
    .join('sepa_mandates as m', function () {
      this.on('m.household_id', 'i.household_id').andOnVal('m.status', 'active');
    })
    .where({ 'i.kind': 'invoice', 'i.status': 'unpaid', 'i.paid_cents': 0 })
    .whereRaw('i.issued_at >= m.activated_at')
    .whereNotExists(
      tx('payments as p')
        .whereRaw('p.invoice_id = i.id')
        .where({ 'p.method': 'direct_debit', 'p.status': 'rejected' })
        .select(tx.raw('1')),
    )
    .modify((qb) => {
      if (scope.householdId !== undefined) qb.where('i.household_id', scope.householdId);
      if (scope.invoiceIds) qb.whereRaw('i.id = any(?)', [scope.invoiceIds]);
    })
    .pluck('i.id')) as number[];
  return markDirectDebitsPlanned(tx, ids);
}

/** "FR76 •••• •••• 0185": enough for the parent to recognise the account, not to use it. */
export function maskIban(iban: string): string {
  const clean = iban.replace(/\s+/g, '');
  return `${clean.slice(0, 4)} •••• •••• ${clean.slice(-4)}`;
}
