// SQL of the invoicing run: its preview's reads, the households' snapshots, the batch inserts and
// the month's lock. No rules here.
import type { Queryable } from '../platform/db.js';
import type { InvoiceRow } from './repository-invoices.js';

// ---------- the preview's reads ----------

/** Enrolments still waiting for a decision, for the run's anomalies. */
export const pendingEnrolments = (q: Queryable, schoolYearIds: string[]) =>
  q('enrolments as e')
    .join('households as h', 'h.id', 'e.household_id')
    .join('services as s', 's.id', 'e.service_id')
    .join('members as m', 'm.id', 'e.child_id')
    .whereIn('e.school_year_id', schoolYearIds)
    .where('e.status', 'submitted')
    .orderBy('e.submitted_at')
    .select(
      'e.id',
      'h.id as household_id',
      'h.family_number',
      's.name as service_name',
      'm.first_name',
      'm.last_name',
    ) as Promise<
    {
      id: number;
      household_id: number;
      family_number: string;
      service_name: string;
      first_name: string;
      last_name: string;
    }[]
  >;

export const schoolYearsOverlapping = (q: Queryable, from: string, to: string) =>
  q('school_years').where('starts_on', '<=', to).andWhere('ends_on', '>=', from).pluck('id') as Promise<
    string[]
  >;

// ---------- households for the snapshot ----------

/** What an invoice's snapshot keeps of its household: the card, its guardians and its accounts. */
export interface SnapshotFacts {
  household: Record<string, string | null | boolean | number>;
  guardians: { first_name: string; last_name: string }[];
  accounts: { id: number; email: string; first_name: string; last_name: string }[];
}

/** The snapshot facts of a batch of households: three queries, whatever their number. */
export async function householdsForSnapshot(q: Queryable, householdIds: number[]) {
  // One after the other: `q` is usually a transaction, one connection.
  const households = await q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .whereIn('h.id', householdIds)
    .select(
      'h.id',
      'h.family_number',
      'h.house_number',
      'h.address_line',
      'h.address_complement',
      'h.postcode',
      'h.city',
      'h.email',
      'h.paperless',
      's.name as street_name',
    );
  const guardians = await q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .whereIn('hm.household_id', householdIds)
    .where('m.kind', 'guardian')
    .whereNull('m.deleted_at')
    .orderBy('m.id')
    .select('hm.household_id', 'm.first_name', 'm.last_name');
  const accounts = await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .whereIn('ha.household_id', householdIds)
    .orderBy('a.id')
    .select('ha.household_id', 'a.id', 'a.email', 'a.first_name', 'a.last_name');
  const out = new Map<number, SnapshotFacts>();
  for (const h of households as Record<string, string | null | boolean | number>[])
    out.set(Number(h.id), { household: h, guardians: [], accounts: [] });
  for (const g of guardians as { household_id: number; first_name: string; last_name: string }[])
    out.get(g.household_id)?.guardians.push(g);
  for (const a of accounts as {
    household_id: number;
    id: number;
    email: string;
    first_name: string;
    last_name: string;
  }[])
    out.get(a.household_id)?.accounts.push(a);
  return out;
}

// ---------- a batch's invoices ----------

/** Households among `householdIds` that already have their invoice of the month. */
export const invoicedHouseholds = (q: Queryable, month: string, householdIds: number[]) =>
  q('invoices')
    .where({ month, kind: 'invoice' })
    .whereIn('household_id', householdIds)
    .pluck('household_id') as Promise<number[]>;

/**
 * A batch of invoices in one statement (the rows as one JSON parameter, like their lines: a
 * VALUES list of 250 × 11 placeholders cost more to build and parse than the insert); returns each
 * one's id with its household.
 */
export async function insertInvoices(
  q: Queryable,
  rows: Omit<
    InvoiceRow,
    'id' | 'paid_cents' | 'credited_cents' | 'status' | 'direct_debit_on' | 'pdf_storage_key'
  >[],
): Promise<{ id: number; household_id: number }[]> {
  if (!rows.length) return [];
  const { rows: inserted } = await q.raw(
    `INSERT INTO invoices (kind, number, household_id, month, credit_for_invoice_id, issued_at, due_on, total_cents, household_snapshot, reason, issued_by)
     SELECT kind, number, household_id, month, credit_for_invoice_id, issued_at, due_on, total_cents, household_snapshot, reason, issued_by
       FROM json_to_recordset(?::json) AS r(kind text, number text, household_id bigint, month text, credit_for_invoice_id bigint,
                                             issued_at timestamptz, due_on date, total_cents int, household_snapshot jsonb, reason text, issued_by bigint)
     RETURNING id, household_id`,
    [JSON.stringify(rows)],
  );
  return inserted as { id: number; household_id: number }[];
}

/**
 * The lines of a batch's invoices in one statement: the lines travel as one JSON parameter keyed
 * by household (built before the transaction; a multi-row VALUES of thousands of lines costs more
 * to build and parse than the insert itself), joined here to the invoices just inserted — the
 * lines of a household skipped by the batch have no invoice in `invoices` and are left out.
 */
export async function insertLinesOfHouseholds(
  q: Queryable,
  linesJson: string,
  invoices: { id: number; household_id: number }[],
): Promise<void> {
  if (!invoices.length) return;
  await q.raw(
    `INSERT INTO invoice_lines (invoice_id, position, child_id, service_id, label, kind, quantity, unit_cents, total_cents, days)
     SELECT i.id, l.position, l.child_id, l.service_id, l.label, l.kind, l.quantity, l.unit_cents, l.total_cents, l.days
       FROM json_to_recordset(?::json) AS l(household_id bigint, position int, child_id bigint, service_id int, label text, kind text,
                                             quantity int, unit_cents int, total_cents int, days jsonb)
       JOIN unnest(?::bigint[], ?::bigint[]) AS i(id, household_id) ON i.household_id = l.household_id
      ORDER BY i.id, l.position`,
    [linesJson, invoices.map((i) => i.id), invoices.map((i) => i.household_id)],
  );
}

/** Invoices and credit notes of the month still waiting for their PDF (drawn after the batch committed). */
export const withoutPdf = (q: Queryable, month: string) =>
  q('invoices').where({ month }).whereNull('pdf_storage_key').orderBy('id').pluck('id') as Promise<number[]>;

// ---------- the month's lock ----------

export const lockedMonth = (q: Queryable, month: string) =>
  q('locked_months').where({ month }).first() as Promise<{ month: string; locked_at: Date } | undefined>;

export const lockMonth = (q: Queryable, month: string, at: Date, by: number | null) =>
  q('locked_months').insert({ month, locked_at: at, locked_by: by }).onConflict('month').ignore();
