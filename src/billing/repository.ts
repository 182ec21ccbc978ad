// SQL for rates, QF history, invoices and the set-based reads of the invoicing run. No rules here.
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

// ---------- what happened in a month (the invoicing run's and the estimate's reads) ----------
// The month's facts come grouped by child × service × household × status, their days as a bit set
// (bit n = day n + 1 of the month): ≈ 50,000 rows for the bench town instead of ≈ 450,000, which
// the driver would otherwise spend most of the computation parsing.

/** Reservations of the month (waiting-list entries are no booking), with the day their sick certificate came in. */
export interface ReservationDays {
  service_id: number;
  child_id: number;
  household_id: number;
  status: string;
  certificate_day: string | null;
  /** Bit n set: the row exists on day n + 1 of the month. */
  days: number;
}

export interface AttendanceDays {
  service_id: number;
  child_id: number;
  household_id: number | null;
  status: string;
  days: number;
}

export interface CustodyRow {
  member_id: number;
  household_id: number;
  custody_weeks: string | null;
}

export interface ChildNameRow {
  id: number;
  first_name: string;
  last_name: string;
}

// `from`/`to` are the month's first and last days (bindings in this order); `extra` narrows the rows.
// The certificate is looked up only for the rare groups that have one (a subquery by primary key):
// a join made PostgreSQL hash all 21,000 documents whenever it expected many groups.
const reservationDaysSql = (extra = '') => `
  SELECT g.service_id, g.child_id, g.household_id, g.status, g.days,
         CASE WHEN g.sick_certificate_document_id IS NOT NULL THEN
           (SELECT to_char((d.uploaded_at AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') FROM documents d WHERE d.id = g.sick_certificate_document_id)
         END AS certificate_day
    FROM (SELECT r.service_id, r.child_id, r.household_id, r.status, r.sick_certificate_document_id,
                 bit_or(1 << (extract(day FROM r.day)::int - 1)) AS days
            FROM reservations r
           WHERE r.day BETWEEN ?::date AND ?::date AND r.status <> 'waiting' ${extra}
           GROUP BY 1, 2, 3, 4, 5) g`;

const attendanceDaysSql = (extra = '') => `
  SELECT a.service_id, a.child_id, a.household_id, a.status, bit_or(1 << (extract(day FROM a.day)::int - 1)) AS days
    FROM attendance a
   WHERE a.day BETWEEN ?::date AND ?::date ${extra}
   GROUP BY 1, 2, 3, 4`;

/** Every household's reservations of the month (`from` must be the month's first day). */
export async function monthReservationDays(
  q: Queryable,
  from: string,
  to: string,
): Promise<ReservationDays[]> {
  return (await q.raw(reservationDaysSql(), [from, to])).rows as ReservationDays[];
}

export async function monthAttendanceDays(q: Queryable, from: string, to: string): Promise<AttendanceDays[]> {
  return (await q.raw(attendanceDaysSql(), [from, to])).rows as AttendanceDays[];
}

/** What computing one household's month reads, in one round trip. */
export interface HouseholdMonthRows {
  reservations: ReservationDays[];
  attendance: AttendanceDays[];
  services: ServiceBillingRow[];
  brackets: BracketRow[];
  rates: ServiceRatesRow[];
  rateBrackets: { service_id: number; bracket_id: number; unit_cents: number }[];
  households: { id: number; out_of_town: boolean; paperless: boolean; family_number: string }[];
  qfHistory: Pick<QfRow, 'household_id' | 'value' | 'valid_from' | 'valid_to'>[];
  childNames: ChildNameRow[];
  custody: CustodyRow[];
}

/**
 * One household's month in one statement: the facts of its children and of any child it booked
 * (all their rows, whoever made them), so that who pays each day is decided on the same rows as in
 * the whole town's run; then the pricing grid of those services, the household's flags
 * and QF history, the children's names and, for days nobody booked, the children's homes. The
 * lists come as JSON (dates as 'YYYY-MM-DD', in the order the separate queries give).
 */
export async function householdMonthRows(
  q: Queryable,
  from: string,
  to: string,
  householdId: number,
): Promise<HouseholdMonthRows> {
  // The sets the parts filter on travel as arrays (`= ANY(ARRAY(…))`) rather than `IN (SELECT …)`:
  // the plan then probes an index (or filters a tiny table) once per set instead of hashing and
  // joining it each time; same rows either way.
  const kids = 'AND child_id = ANY(ARRAY(SELECT child_id FROM kids))';
  const { rows } = (await q.raw(
    `WITH kids AS (
            SELECT member_id AS child_id FROM household_members WHERE household_id = ?
      UNION SELECT child_id FROM reservations WHERE household_id = ? AND day BETWEEN ?::date AND ?::date AND status <> 'waiting'),
     res AS (${reservationDaysSql(kids)}),
     att AS (${attendanceDaysSql(kids)}),
     svc AS (SELECT ${PRICING_SERVICE_COLUMNS} FROM services
              WHERE id = ANY(ARRAY(SELECT service_id FROM res UNION ALL SELECT service_id FROM att)))
     SELECT
       (SELECT coalesce(json_agg(res), '[]') FROM res) AS reservations,
       (SELECT coalesce(json_agg(att), '[]') FROM att) AS attendance,
       ${PRICING_COLUMNS},
       (SELECT coalesce(json_agg(m), '[]')
          FROM (SELECT id, first_name, last_name FROM members
                 WHERE id = ANY(ARRAY(SELECT child_id FROM res UNION ALL SELECT child_id FROM att))) m) AS child_names,
       (SELECT coalesce(json_agg(c ORDER BY c.household_id), '[]')
          FROM (SELECT member_id, household_id, custody_weeks FROM household_members
                 WHERE member_id = ANY(ARRAY(SELECT child_id FROM att WHERE household_id IS NULL))) c) AS custody`,
    [householdId, householdId, from, to, from, to, from, to, householdId, householdId],
  )) as { rows: Record<string, unknown>[] };
  const r = rows[0]!;
  return {
    reservations: r.reservations as ReservationDays[],
    attendance: r.attendance as AttendanceDays[],
    ...pricingRowsFrom(r),
    childNames: r.child_names as ChildNameRow[],
    custody: r.custody as CustodyRow[],
  };
}

const PRICING_SERVICE_COLUMNS = 'id, name, kind, unit, billing_basis, school_year_id, active';

/**
 * The pricing grid of the services of a `svc` CTE (PRICING_SERVICE_COLUMNS) and one household's
 * flags and QF history, as the JSON columns services, brackets, rates, rate_brackets, households
 * and qf_history (in the order the separate queries give). Two `?`: the household, twice.
 */
const PRICING_COLUMNS = `(SELECT coalesce(json_agg(svc ORDER BY school_year_id DESC, name), '[]') FROM svc) AS services,
       (SELECT coalesce(json_agg(b ORDER BY b.school_year_id, b.min_qf), '[]')
          FROM (SELECT id, school_year_id, min_qf, max_qf, label FROM qf_brackets WHERE school_year_id = ANY(ARRAY(SELECT school_year_id FROM svc))) b) AS brackets,
       (SELECT coalesce(json_agg(r), '[]')
          FROM (SELECT service_id, out_of_town_cents, unknown_qf_cents, late_cancel_cents, unbooked_surcharge_cents
                  FROM service_rates WHERE service_id = ANY(ARRAY(SELECT id FROM svc))) r) AS rates,
       (SELECT coalesce(json_agg(p), '[]')
          FROM (SELECT service_id, bracket_id, unit_cents FROM service_rate_brackets WHERE service_id = ANY(ARRAY(SELECT id FROM svc))) p) AS rate_brackets,
       (SELECT coalesce(json_agg(h), '[]') FROM (SELECT id, out_of_town, paperless, family_number FROM households WHERE id = ?) h) AS households,
       (SELECT coalesce(json_agg(x ORDER BY x.valid_from, x.id), '[]')
          FROM (SELECT id, household_id, value, valid_from, valid_to FROM qf_history WHERE household_id = ?) x) AS qf_history`;

export type PricingRows = Pick<
  HouseholdMonthRows,
  'services' | 'brackets' | 'rates' | 'rateBrackets' | 'households' | 'qfHistory'
>;

/**
 * The pricing grid of the services and the household's flags and QF history, in one statement
 * (the reservations page asked six queries, two round trips deep, for a price per service).
 */
export async function pricingRows(
  q: Queryable,
  householdId: number,
  serviceIds: number[],
): Promise<PricingRows> {
  const { rows } = (await q.raw(
    `WITH svc AS (SELECT ${PRICING_SERVICE_COLUMNS} FROM services WHERE id = ANY(?::int[])) SELECT ${PRICING_COLUMNS}`,
    [serviceIds, householdId, householdId],
  )) as { rows: Record<string, unknown>[] };
  return pricingRowsFrom(rows[0]!);
}

/** The PRICING_COLUMNS of a row, typed. */
function pricingRowsFrom(r: Record<string, unknown>): PricingRows {
  return {
    services: r.services as ServiceBillingRow[],
    brackets: r.brackets as BracketRow[],
    rates: r.rates as ServiceRatesRow[],
    rateBrackets: r.rate_brackets as HouseholdMonthRows['rateBrackets'],
    households: r.households as HouseholdMonthRows['households'],
    qfHistory: r.qf_history as HouseholdMonthRows['qfHistory'],
  };
}

export const childHouseholds = (q: Queryable, childIds: number[]) =>
  q('household_members')
    .whereRaw('member_id = ANY(?::bigint[])', [childIds])
    .orderBy('household_id')
    .select('member_id', 'household_id', 'custody_weeks') as Promise<CustodyRow[]>;

export const childNames = (q: Queryable, childIds: number[]) =>
  q('members')
    .whereRaw('id = ANY(?::bigint[])', [childIds])
    .select('id', 'first_name', 'last_name') as Promise<ChildNameRow[]>;

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

export async function householdForSnapshot(q: Queryable, householdId: number) {
  const h = await q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .where('h.id', householdId)
    .first(
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
  const guardians = (await q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.kind': 'guardian' })
    .whereNull('m.deleted_at')
    .orderBy('m.id')
    .select('m.first_name', 'm.last_name')) as { first_name: string; last_name: string }[];
  const accounts = (await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .orderBy('a.id')
    .select('a.id', 'a.email', 'a.first_name', 'a.last_name')) as {
    id: number;
    email: string;
    first_name: string;
    last_name: string;
  }[];
  return h ? { household: h as Record<string, string | null | boolean | number>, guardians, accounts } : null;
}

/** The same as householdForSnapshot for a batch of households: three queries, whatever their number. */
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
  const out = new Map<number, NonNullable<Awaited<ReturnType<typeof householdForSnapshot>>>>();
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

// ---------- invoices ----------

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

export const lockedMonth = (q: Queryable, month: string) =>
  q('locked_months').where({ month }).first() as Promise<{ month: string; locked_at: Date } | undefined>;

export const lockMonth = (q: Queryable, month: string, at: Date, by: number | null) =>
  q('locked_months').insert({ month, locked_at: at, locked_by: by }).onConflict('month').ignore();

export const openRateRequest = (q: Queryable, householdId: number) =>
  q('requests')
    .where({ household_id: householdId, type: 'rate_update' })
    .whereIn('status', ['submitted', 'in_review', 'incomplete'])
    .orderBy('id', 'desc')
    .first() as Promise<{ id: number; tracking_code: string; status: string; created_at: Date } | undefined>;
