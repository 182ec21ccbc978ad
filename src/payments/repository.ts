// SQL for payments, PayFiP operations, anomalies and refunds. No rules here.
import type { Queryable } from '../platform/db.js';

type OperationState = 'pending' | 'paid' | 'refused' | 'abandoned' | 'expired' | 'anomaly';
export type PaymentMethod = 'online' | 'direct_debit' | 'cash' | 'cheque' | 'card' | 'cesu';
export const PAYMENT_METHODS: PaymentMethod[] = ['online', 'direct_debit', 'cash', 'cheque', 'card', 'cesu'];
export const DESK_METHODS = ['cash', 'cheque', 'card', 'cesu'] as const;

export interface OperationRow {
  id: number;
  id_op: string;
  invoice_id: number;
  household_id: number;
  account_id: number | null;
  refdet: string;
  amount_cents: number;
  payer_email: string;
  state: OperationState;
  result_code: string | null;
  payment_id: number | null;
  created_at: Date;
  settled_at: Date | null;
  last_checked_at: Date | null;
  attempts: number;
  /** The provider's payment page of this operation, to send a second tab back to it. */
  redirect_url: string | null;
}

export interface PaymentRow {
  id: number;
  invoice_id: number;
  household_id: number;
  method: PaymentMethod;
  amount_cents: number;
  overpaid_cents: number;
  received_at: Date;
  reference: string | null;
  status: 'recorded' | 'rejected';
  recorded_by: number | null;
  recorded_at: Date;
}

export async function insertOperation(
  q: Queryable,
  row: Omit<
    OperationRow,
    'id' | 'state' | 'result_code' | 'payment_id' | 'settled_at' | 'last_checked_at' | 'attempts'
  >,
) {
  const [r] = await q('payment_operations').insert(row).returning('id');
  return (r as { id: number }).id;
}

/** The invoice's open (pending) operation: at most one (unique index payment_operations_one_open). */
export const openOperationOf = (q: Queryable, invoiceId: number) =>
  q('payment_operations').where({ invoice_id: invoiceId, state: 'pending' }).first() as Promise<
    OperationRow | undefined
  >;

export const ONE_OPEN_OPERATION = 'payment_operations_one_open';

export const findOperation = (q: Queryable, idOp: string) =>
  q('payment_operations').where({ id_op: idOp }).first() as Promise<OperationRow | undefined>;

export const lockOperation = (q: Queryable, idOp: string) =>
  q('payment_operations').where({ id_op: idOp }).forUpdate().first() as Promise<OperationRow | undefined>;

export const updateOperation = (q: Queryable, id: number, patch: Partial<OperationRow>) =>
  q('payment_operations').where({ id }).update(patch);

/** Operations still waiting for a result, oldest first. */
export const pendingOperations = (q: Queryable, limit: number) =>
  q('payment_operations')
    .where({ state: 'pending' })
    .orderBy('created_at')
    .limit(limit)
    .select('id_op') as Promise<{ id_op: string }[]>;

/** Inserts a payment. Online payments are unique by reference (the idOp): a second one fails. */
export async function insertPayment(q: Queryable, row: Omit<PaymentRow, 'id' | 'status'>): Promise<number> {
  const [r] = await q('payments')
    .insert({ ...row, status: 'recorded' })
    .returning('id');
  return (r as { id: number }).id;
}

export const findPayment = (q: Queryable, id: number) =>
  q('payments').where({ id }).first() as Promise<PaymentRow | undefined>;

export async function insertAnomaly(q: Queryable, row: Record<string, unknown>): Promise<void> {
  await q('payment_anomalies').insert(row);
}

/** A household's payments with their invoice number, newest first. */
export const householdPayments = (q: Queryable, householdId: number) =>
  q('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .where('p.household_id', householdId)
    .orderBy([
      { column: 'p.received_at', order: 'desc' },
      { column: 'p.id', order: 'desc' },
    ])
    .select('p.*', 'i.number as invoice_number');

/** A household's invoices that still have something to pay, oldest first. */
export const householdOpenInvoices = (q: Queryable, householdId: number) =>
  q('invoices')
    .where({ household_id: householdId, kind: 'invoice' })
    .whereIn('status', ['unpaid', 'partially_paid', 'direct_debit_planned'])
    .orderBy('issued_at');

export interface PaymentFilters {
  from: string;
  to: string;
  method: string;
}

function filtered(q: Queryable, f: PaymentFilters) {
  return q('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .join('households as h', 'h.id', 'p.household_id')
    .whereRaw("(p.received_at AT TIME ZONE 'Europe/Paris')::date BETWEEN ? AND ?", [f.from, f.to])
    .modify((qb) => {
      if (f.method) qb.where('p.method', f.method);
    });
}

/** Totals per Paris day and method (rejected debits excluded). */
export const totalsByDayAndMethod = (q: Queryable, f: PaymentFilters) =>
  filtered(q, f)
    .where('p.status', 'recorded')
    .groupByRaw('1, 2')
    .orderByRaw('1 desc, 2')
    .select(
      q.raw("to_char((p.received_at AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') as day"),
      'p.method',
      q.raw('count(*)::int as count'),
      q.raw('sum(p.amount_cents)::bigint as total_cents'),
    ) as Promise<{ day: string; method: PaymentMethod; count: number; total_cents: number }[]>;

export type PaymentListRow = PaymentRow & { invoice_number: string; family_number: string };

export const paymentsList = (q: Queryable, f: PaymentFilters, limit?: number): Promise<PaymentListRow[]> =>
  filtered(q, f)
    .orderBy([
      { column: 'p.received_at', order: 'desc' },
      { column: 'p.id', order: 'desc' },
    ])
    .modify((qb) => {
      if (limit) qb.limit(limit);
    })
    .select('p.*', 'i.number as invoice_number', 'h.family_number') as Promise<PaymentListRow[]>;

/** Overpayments not fully refunded yet. */
export const overpaymentsToRefund = (q: Queryable) =>
  q('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .join('households as h', 'h.id', 'p.household_id')
    .leftJoin(
      q('refunds')
        .groupBy('payment_id')
        .select('payment_id', q.raw('sum(amount_cents)::int as refunded'))
        .as('r'),
      'r.payment_id',
      'p.id',
    )
    .where('p.overpaid_cents', '>', 0)
    .where('p.status', 'recorded')
    .whereRaw('p.overpaid_cents > coalesce(r.refunded, 0)')
    .orderBy('p.received_at')
    .select(
      'p.*',
      'i.number as invoice_number',
      'h.family_number',
      q.raw('coalesce(r.refunded, 0)::int as refunded_cents'),
    );

export async function refundedCents(q: Queryable, paymentId: number): Promise<number> {
  const row = (await q('refunds').where({ payment_id: paymentId }).sum({ total: 'amount_cents' }).first()) as
    { total: string | number | null } | undefined;
  return Number(row?.total ?? 0);
}

export const recentRefunds = (q: Queryable, limit = 20) =>
  q('refunds as r')
    .join('payments as p', 'p.id', 'r.payment_id')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .join('households as h', 'h.id', 'r.household_id')
    .orderBy('r.recorded_at', 'desc')
    .limit(limit)
    .select('r.*', 'i.number as invoice_number', 'h.family_number');

export const openAnomalies = (q: Queryable) =>
  q('payment_anomalies as a')
    .leftJoin('payment_operations as o', 'o.id', 'a.operation_id')
    .leftJoin('invoices as i', 'i.id', 'a.invoice_id')
    .leftJoin('households as h', 'h.id', 'a.household_id')
    .whereNull('a.resolved_at')
    .orderBy('a.created_at')
    .select('a.*', 'o.id_op', 'i.number as invoice_number', 'h.family_number');

export const findInvoiceByNumber = (q: Queryable, number: string) =>
  q('invoices').where({ number }).first() as Promise<import('./invoices.js').PayableInvoice | undefined>;

/** Where to send a household's receipts: its correspondence email, else a guardian's login. */
export async function householdEmail(q: Queryable, householdId: number): Promise<string | null> {
  const h = (await q('households').where({ id: householdId }).first('email')) as
    { email: string | null } | undefined;
  if (h?.email) return h.email;
  const a = (await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .orderBy('ha.linked_at')
    .first('a.email')) as { email: string } | undefined;
  return a?.email ?? null;
}
