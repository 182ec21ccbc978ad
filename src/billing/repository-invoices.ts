// SQL for invoices and credit notes: their rows, lines, numbering counters, PDFs, payments and the
// staff search. No rules here.
import type { Queryable } from '../platform/db.js';

export type InvoiceStatus = 'unpaid' | 'partially_paid' | 'paid' | 'direct_debit_planned' | 'debited';
export type InvoiceKind = 'invoice' | 'credit_note';

export interface InvoiceRow {
  id: number;
  kind: InvoiceKind;
  number: string;
  household_id: number;
  month: string;
  credit_for_invoice_id: number | null;
  issued_at: Date;
  due_on: string;
  total_cents: number;
  paid_cents: number;
  credited_cents: number;
  status: InvoiceStatus;
  direct_debit_on: string | null;
  household_snapshot: HouseholdSnapshot;
  pdf_storage_key: string | null;
  reason: string | null;
  issued_by: number | null;
}

export interface HouseholdSnapshot {
  familyNumber: string;
  names: string[];
  addressLines: string[];
  postcode: string;
  city: string;
}

export interface InvoiceLineRow {
  id: number;
  invoice_id: number;
  position: number;
  child_id: number | null;
  service_id: number | null;
  label: string;
  kind: string;
  quantity: number;
  unit_cents: number;
  total_cents: number;
  days: string[];
}

export async function lockCounter(q: Queryable, year: number, kind: InvoiceKind): Promise<number> {
  await q('invoice_counters').insert({ year, kind, last_number: 0 }).onConflict(['year', 'kind']).ignore();
  const row = await q('invoice_counters').where({ year, kind }).forUpdate().first('last_number');
  return (row as { last_number: number }).last_number;
}

export const setCounter = (q: Queryable, year: number, kind: InvoiceKind, last: number) =>
  q('invoice_counters').where({ year, kind }).update({ last_number: last });

export async function insertInvoice(
  q: Queryable,
  row: Omit<
    InvoiceRow,
    'id' | 'paid_cents' | 'credited_cents' | 'status' | 'direct_debit_on' | 'pdf_storage_key'
  >,
): Promise<number> {
  const [r] = await q('invoices')
    .insert({ ...row, household_snapshot: JSON.stringify(row.household_snapshot) })
    .returning('id');
  return (r as { id: number }).id;
}

export async function insertLines(
  q: Queryable,
  invoiceId: number,
  lines: Omit<InvoiceLineRow, 'id' | 'invoice_id'>[],
): Promise<void> {
  if (!lines.length) return;
  await q('invoice_lines').insert(
    lines.map((l) => ({ ...l, invoice_id: invoiceId, days: JSON.stringify(l.days) })),
  );
}

/**
 * Stores each invoice's PDF key only if none was stored yet (one statement for a batch); returns
 * the invoices whose key was stored — the others already had one (another process drew them first).
 */
export async function setPdfKeysOnce(q: Queryable, keys: { id: number; key: string }[]): Promise<number[]> {
  if (!keys.length) return [];
  const { rows } = await q.raw(
    `UPDATE invoices i SET pdf_storage_key = k.key
       FROM jsonb_to_recordset(?::jsonb) AS k(id bigint, key text)
      WHERE i.id = k.id AND i.pdf_storage_key IS NULL
  RETURNING i.id`,
    [JSON.stringify(keys)],
  );
  return (rows as { id: number | string }[]).map((r) => Number(r.id));
}

export const setPdfKey = (q: Queryable, invoiceId: number, key: string) =>
  q('invoices').where({ id: invoiceId }).update({ pdf_storage_key: key });

export const findInvoice = (q: Queryable, id: number) =>
  q<InvoiceRow>('invoices').where({ id }).first() as Promise<InvoiceRow | undefined>;

/** An invoice of the household, or undefined (another household's invoice is a 404). */
export const findHouseholdInvoice = (q: Queryable, householdId: number, id: number) =>
  q<InvoiceRow>('invoices').where({ id, household_id: householdId }).first() as Promise<
    InvoiceRow | undefined
  >;

export const lockInvoice = (q: Queryable, id: number) =>
  q<InvoiceRow>('invoices').where({ id }).forUpdate().first() as Promise<InvoiceRow | undefined>;

export const updateInvoice = (
  q: Queryable,
  id: number,
  patch: Partial<Pick<InvoiceRow, 'paid_cents' | 'credited_cents' | 'status' | 'direct_debit_on'>>,
) => q('invoices').where({ id }).update(patch);

export const linesOf = (q: Queryable, invoiceIds: number[]) =>
  q<InvoiceLineRow>('invoice_lines')
    .whereIn('invoice_id', invoiceIds)
    .orderBy([{ column: 'invoice_id' }, { column: 'position' }]) as Promise<InvoiceLineRow[]>;

export const householdInvoices = (q: Queryable, householdId: number) =>
  q<InvoiceRow>('invoices')
    .where({ household_id: householdId })
    .orderBy([
      { column: 'issued_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]) as Promise<InvoiceRow[]>;

export const creditNotesFor = (q: Queryable, invoiceId: number) =>
  q<InvoiceRow>('invoices')
    .where({ credit_for_invoice_id: invoiceId, kind: 'credit_note' })
    .orderBy('id') as Promise<InvoiceRow[]>;

export const paymentsOf = (q: Queryable, where: { invoiceId?: number; householdId?: number }) =>
  q('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .modify((qb) => {
      if (where.invoiceId) qb.where('p.invoice_id', where.invoiceId);
      if (where.householdId) qb.where('p.household_id', where.householdId);
    })
    .orderBy('p.received_at', 'desc')
    .select(
      'p.id',
      'p.invoice_id',
      'p.method',
      'p.amount_cents',
      'p.received_at',
      'p.status',
      'p.reference',
      'i.number as invoice_number',
    ) as Promise<
    {
      id: number;
      invoice_id: number;
      method: string;
      amount_cents: number;
      received_at: Date;
      status: string;
      reference: string | null;
      invoice_number: string;
    }[]
  >;

export interface InvoiceSearch {
  q?: string;
  month?: string;
  status?: string;
  kind?: string;
  overdueOn?: string;
  unpaidDueBefore?: string;
}

/** Staff search: by number, family number or guardian name; month; status (overdue is due_on < today and not settled). */
export function searchInvoices(q: Queryable, f: InvoiceSearch) {
  return q('invoices as i')
    .join('households as h', 'h.id', 'i.household_id')
    .modify((qb) => {
      if (f.month) qb.where('i.month', f.month);
      if (f.kind) qb.where('i.kind', f.kind);
      if (f.status === 'overdue' && f.overdueOn) {
        qb.whereIn('i.status', ['unpaid', 'partially_paid'])
          .where('i.due_on', '<', f.overdueOn)
          .where('i.kind', 'invoice');
      } else if (f.status) qb.where('i.status', f.status);
      if (f.unpaidDueBefore)
        qb.whereIn('i.status', ['unpaid', 'partially_paid'])
          .where('i.due_on', '<', f.unpaidDueBefore)
          .where('i.kind', 'invoice');
      if (f.q) {
        const term = f.q.trim();
        const like = `%${term.replace(/[%_\\]/g, '\\$&').toLowerCase()}%`;
        qb.where((w) =>
          w
            .where('i.number', 'ilike', like)
            .orWhere('h.family_number', 'ilike', like)
            .orWhereRaw("lower(f_unaccent(i.household_snapshot->>'names')) like lower(f_unaccent(?))", [
              like,
            ]),
        );
      }
    });
}
