// SQL for what happened in a month (the invoicing run's and the estimate's reads) and the pricing
// grid a household reads with it. No rules here.
import type { Queryable } from '../platform/db.js';
import type { BracketRow, QfRow, ServiceBillingRow, ServiceRatesRow } from './repository.js';

// The month's facts come grouped by child × service × household × status, their days as a bit set
// (bit n = day n + 1 of the month): about a tenth of the rows of one a day, which the driver would
// otherwise spend most of the computation parsing.

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
