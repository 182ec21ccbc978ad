// SQL for services' rates and the QF history (the rates pages and the pricing reads). No rules here.
// The month's facts: repository-month.ts; invoices: repository-invoices.ts; the run: repository-run.ts.
import type { Queryable } from '../platform/db.js';

export interface ServiceBillingRow {
  id: number;
  name: string;
  kind: string;
  unit: string;
  billing_basis: 'bookings' | 'attendance';
  school_year_id: string;
  active: boolean;
}

export interface ServiceRatesRow {
  service_id: number;
  out_of_town_cents: number | null;
  unknown_qf_cents: number | null;
  late_cancel_cents: number;
  unbooked_surcharge_cents: number;
}

export interface BracketRow {
  id: number;
  school_year_id: string;
  min_qf: number;
  max_qf: number | null;
  label: string;
}

export interface QfRow {
  id: number;
  household_id: number;
  value: number;
  valid_from: string;
  valid_to: string | null;
  source: string;
  validated_by: number | null;
  validated_at: Date;
  request_id: number | null;
}

// ---------- services, brackets and rates ----------

export const findService = (q: Queryable, id: number) =>
  q<ServiceBillingRow>('services')
    .where({ id })
    .first('id', 'name', 'kind', 'unit', 'billing_basis', 'school_year_id', 'active') as Promise<
    ServiceBillingRow | undefined
  >;

export const listServices = (q: Queryable, ids?: number[]) =>
  q<ServiceBillingRow>('services')
    .modify((qb) => {
      if (ids) qb.whereIn('id', ids);
    })
    .orderBy([{ column: 'school_year_id', order: 'desc' }, { column: 'name' }])
    .select('id', 'name', 'kind', 'unit', 'billing_basis', 'school_year_id', 'active') as Promise<
    ServiceBillingRow[]
  >;

export const listBrackets = (q: Queryable, schoolYearIds: string[]) =>
  q<BracketRow>('qf_brackets')
    .whereIn('school_year_id', schoolYearIds)
    .orderBy([{ column: 'school_year_id' }, { column: 'min_qf' }]) as Promise<BracketRow[]>;

export const listRates = (q: Queryable, serviceIds: number[]) =>
  q<ServiceRatesRow>('service_rates').whereIn('service_id', serviceIds) as Promise<ServiceRatesRow[]>;

export const listRateBrackets = (q: Queryable, serviceIds: number[]) =>
  q('service_rate_brackets')
    .whereIn('service_id', serviceIds)
    .select('service_id', 'bracket_id', 'unit_cents') as Promise<
    { service_id: number; bracket_id: number; unit_cents: number }[]
  >;

export async function saveRates(
  q: Queryable,
  serviceId: number,
  rates: Omit<ServiceRatesRow, 'service_id'>,
  brackets: { bracketId: number; unitCents: number }[],
): Promise<void> {
  await q('service_rates')
    .insert({ service_id: serviceId, ...rates })
    .onConflict('service_id')
    .merge();
  await q('service_rate_brackets').where({ service_id: serviceId }).delete();
  if (brackets.length) {
    await q('service_rate_brackets').insert(
      brackets.map((b) => ({ service_id: serviceId, bracket_id: b.bracketId, unit_cents: b.unitCents })),
    );
  }
}

// ---------- quotient familial ----------

// Lists of ids travel as one array parameter: the invoicing run passes thousands, and a text with
// thousands of placeholders costs more to build, send and parse than the query itself.
export const qfHistoryOf = (q: Queryable, householdIds: number[]) =>
  q<QfRow>('qf_history')
    .whereRaw('household_id = ANY(?::bigint[])', [householdIds])
    .orderBy([{ column: 'household_id' }, { column: 'valid_from' }, { column: 'id' }]) as Promise<QfRow[]>;

/** Ends the entries still running on `from` the day before it (the new attestation replaces them). */
export const closeQfEntries = (q: Queryable, householdId: number, from: string, dayBefore: string) =>
  q('qf_history')
    .where({ household_id: householdId })
    .where('valid_from', '<', from)
    .where((w) => w.whereNull('valid_to').orWhere('valid_to', '>=', from))
    .update({ valid_to: dayBefore });

export async function insertQf(q: Queryable, row: Omit<QfRow, 'id'>): Promise<number> {
  const [r] = await q('qf_history').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const qfOfRequest = (q: Queryable, requestId: number) =>
  q<QfRow>('qf_history').where({ request_id: requestId }).first() as Promise<QfRow | undefined>;

export const householdFlags = (q: Queryable, ids: number[]) =>
  q('households')
    .whereRaw('id = ANY(?::bigint[])', [ids])
    .select('id', 'out_of_town', 'paperless', 'family_number') as Promise<
    { id: number; out_of_town: boolean; paperless: boolean; family_number: string }[]
  >;

/** Vault documents that prove a QF (CAF/MSA attestation, tax notice), newest first. */
export const qfDocumentsOf = (q: Queryable, householdId: number) =>
  q('documents as d')
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .where({ 'd.household_id': householdId })
    .whereIn('dt.code', ['caf_attestation', 'tax_notice'])
    .whereNull('d.deleted_at')
    .whereNull('d.superseded_at')
    .whereNot('d.status', 'rejected')
    .orderBy('d.uploaded_at', 'desc')
    .select(
      'd.id',
      'd.status',
      'd.uploaded_at',
      'd.valid_until',
      'dt.code as type_code',
      'dt.name as type_name',
    ) as Promise<
    {
      id: number;
      status: string;
      uploaded_at: Date;
      valid_until: string | null;
      type_code: string;
      type_name: string;
    }[]
  >;

/** Accepted enrolments of the household with their service, for the rates page. */
export const enrolledServicesOf = (q: Queryable, householdId: number) =>
  q('enrolments as e')
    .join('services as s', 's.id', 'e.service_id')
    .join('members as m', 'm.id', 'e.child_id')
    .where({ 'e.household_id': householdId, 'e.status': 'accepted' })
    .orderBy([{ column: 's.name' }, { column: 'm.first_name' }])
    .select(
      's.id as service_id',
      's.name as service_name',
      's.unit',
      's.school_year_id',
      'm.first_name',
    ) as Promise<
    { service_id: number; service_name: string; unit: string; school_year_id: string; first_name: string }[]
  >;

export const openRateRequest = (q: Queryable, householdId: number) =>
  q('requests')
    .where({ household_id: householdId, type: 'rate_update' })
    .whereIn('status', ['submitted', 'in_review', 'incomplete'])
    .orderBy('id', 'desc')
    .first() as Promise<{ id: number; tracking_code: string; status: string; created_at: Date } | undefined>;
