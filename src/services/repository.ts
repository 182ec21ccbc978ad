// SQL for services, their eligible schools and required documents, the town calendar and the
// school years. Booking columns and rates are owned by reservations and billing: read-only here.
import type { Queryable } from '../platform/db.js';

export type ServiceKind = 'canteen' | 'before_school' | 'after_school' | 'wednesday' | 'holiday' | 'school';
export const SERVICE_KINDS: ServiceKind[] = [
  'canteen',
  'before_school',
  'after_school',
  'wednesday',
  'holiday',
  'school',
];
export type OpeningDays = 'school_days' | 'wednesdays' | 'holidays' | 'none';
export const OPENING_DAYS: OpeningDays[] = ['school_days', 'wednesdays', 'holidays', 'none'];
export type Meal = 'lunch' | 'snack';
export const MEALS: Meal[] = ['lunch', 'snack'];
export type RequirementRule = 'valid_at_start' | 'valid_whole_period';
export const CLASS_LEVELS = ['PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2'];
export const NURSERY_LEVELS = ['PS', 'MS', 'GS'];

export interface ServiceRow {
  id: number;
  school_year_id: string;
  kind: ServiceKind;
  name: string;
  description: string;
  site_school_id: number | null;
  opening_days: OpeningDays;
  weekdays: number[];
  enrol_opens_on: string | null;
  enrol_closes_on: string | null;
  needs_validation: boolean;
  class_levels: string[] | null;
  min_age: number | null;
  max_age: number | null;
  unit: string;
  billing_basis: string;
  booking_deadline: Record<string, unknown> | null;
  cancel_deadline: Record<string, unknown> | null;
  booking_window_days: number | null;
  booking_unit: string;
  capacity: number | null;
  capacity_split: string;
  capacity_groups: { key: string; label: string; capacity: number }[];
  active: boolean;
  /** What the service serves its children (the kitchen headcount counts these). */
  meals: Meal[];
}

export interface RequirementRow {
  service_id: number;
  document_type_id: number;
  rule: RequirementRule;
  code: string;
  name: string;
  scope: 'child' | 'household';
}

export interface SchoolRow {
  id: number;
  name: string;
  kind: string;
  is_public: boolean;
  runs_own_canteen: boolean;
  canteen_contact: string | null;
  class_levels: string[];
}

export interface SchoolYearRow {
  id: string;
  starts_on: string;
  ends_on: string;
}

export interface CalendarPeriodRow {
  id: number;
  school_year_id: string;
  kind: 'school' | 'holiday' | 'public_holiday';
  name: string;
  starts_on: string;
  ends_on: string;
}

export interface RateRow {
  service_id: number;
  out_of_town_cents: number | null;
  unknown_qf_cents: number | null;
  late_cancel_cents: number;
  unbooked_surcharge_cents: number;
}

export interface BracketPriceRow {
  service_id: number;
  label: string;
  min_qf: number;
  max_qf: number | null;
  unit_cents: number;
}

// ---- school years and schools

export const listSchoolYears = (q: Queryable) =>
  q<SchoolYearRow>('school_years').orderBy('starts_on') as Promise<SchoolYearRow[]>;
export const findSchoolYear = (q: Queryable, id: string) =>
  q<SchoolYearRow>('school_years').where({ id }).first() as Promise<SchoolYearRow | undefined>;

/** The school year running on `day`, else the next one, else the latest. */
export async function currentSchoolYear(q: Queryable, day: string): Promise<SchoolYearRow | undefined> {
  const running = (await q<SchoolYearRow>('school_years')
    .where('ends_on', '>=', day)
    .orderBy('starts_on')
    .first()) as SchoolYearRow | undefined;
  return (
    running ??
    ((await q<SchoolYearRow>('school_years').orderBy('starts_on', 'desc').first()) as
      SchoolYearRow | undefined)
  );
}

export const listSchools = (q: Queryable) => q<SchoolRow>('schools').orderBy('name') as Promise<SchoolRow[]>;
export const findSchool = (q: Queryable, id: number) =>
  q<SchoolRow>('schools').where({ id }).first() as Promise<SchoolRow | undefined>;

// ---- services

export const listServices = (q: Queryable, schoolYearId: string, opts: { activeOnly?: boolean } = {}) =>
  q<ServiceRow>('services')
    .where({ school_year_id: schoolYearId })
    .modify((qb) => {
      if (opts.activeOnly) qb.where({ active: true });
    })
    .orderBy('id') as Promise<ServiceRow[]>;

export const findService = (q: Queryable, id: number) =>
  q<ServiceRow>('services').where({ id }).first() as Promise<ServiceRow | undefined>;

export type ServiceWrite = Pick<
  ServiceRow,
  | 'school_year_id'
  | 'kind'
  | 'name'
  | 'description'
  | 'site_school_id'
  | 'opening_days'
  | 'weekdays'
  | 'enrol_opens_on'
  | 'enrol_closes_on'
  | 'needs_validation'
  | 'class_levels'
  | 'min_age'
  | 'max_age'
  | 'unit'
  | 'billing_basis'
  | 'active'
  | 'meals'
>;

export async function insertService(q: Queryable, row: ServiceWrite & Partial<ServiceRow>): Promise<number> {
  const [r] = await q('services')
    .insert({
      ...row,
      ...(row.booking_deadline !== undefined
        ? { booking_deadline: JSON.stringify(row.booking_deadline) }
        : {}),
      ...(row.cancel_deadline !== undefined ? { cancel_deadline: JSON.stringify(row.cancel_deadline) } : {}),
      ...(row.capacity_groups !== undefined ? { capacity_groups: JSON.stringify(row.capacity_groups) } : {}),
    })
    .returning('id');
  return (r as { id: number }).id;
}

export const updateService = (q: Queryable, id: number, row: ServiceWrite) =>
  q('services').where({ id }).update(row);

export async function serviceSchoolIds(q: Queryable, serviceIds: number[]): Promise<Map<number, number[]>> {
  const rows = (await q('service_schools')
    .whereIn('service_id', serviceIds)
    .select('service_id', 'school_id')) as { service_id: number; school_id: number }[];
  const out = new Map<number, number[]>();
  for (const r of rows) out.set(r.service_id, [...(out.get(r.service_id) ?? []), r.school_id]);
  return out;
}

export async function replaceServiceSchools(
  q: Queryable,
  serviceId: number,
  schoolIds: number[],
): Promise<void> {
  await q('service_schools').where({ service_id: serviceId }).delete();
  if (schoolIds.length)
    await q('service_schools').insert(schoolIds.map((school_id) => ({ service_id: serviceId, school_id })));
}

export const listRequirements = (q: Queryable, serviceIds: number[]) =>
  q('service_requirements as r')
    .join('document_types as d', 'd.id', 'r.document_type_id')
    .whereIn('r.service_id', serviceIds)
    .orderBy('d.name')
    .select('r.service_id', 'r.document_type_id', 'r.rule', 'd.code', 'd.name', 'd.scope') as Promise<
    RequirementRow[]
  >;

export async function replaceRequirements(
  q: Queryable,
  serviceId: number,
  reqs: { document_type_id: number; rule: RequirementRule }[],
): Promise<void> {
  await q('service_requirements').where({ service_id: serviceId }).delete();
  if (reqs.length) await q('service_requirements').insert(reqs.map((r) => ({ service_id: serviceId, ...r })));
}

export const listDocumentTypes = (q: Queryable) =>
  q('document_types')
    .where({ active: true })
    .orderBy('name')
    .select('id', 'code', 'name', 'scope') as Promise<
    { id: number; code: string; name: string; scope: string }[]
  >;

// ---- rates (billing's tables, read-only)

export const listRates = (q: Queryable, serviceIds: number[]) =>
  q<RateRow>('service_rates').whereIn('service_id', serviceIds) as Promise<RateRow[]>;

export const listBracketPrices = (q: Queryable, serviceIds: number[]) =>
  q('service_rate_brackets as p')
    .join('qf_brackets as b', 'b.id', 'p.bracket_id')
    .whereIn('p.service_id', serviceIds)
    .orderBy([{ column: 'p.service_id' }, { column: 'b.min_qf' }])
    .select('p.service_id', 'b.label', 'b.min_qf', 'b.max_qf', 'p.unit_cents') as Promise<BracketPriceRow[]>;

// ---- calendar

export const listCalendarPeriods = (q: Queryable, schoolYearId: string) =>
  q<CalendarPeriodRow>('calendar_periods')
    .where({ school_year_id: schoolYearId })
    .orderBy([{ column: 'starts_on' }, { column: 'kind' }]) as Promise<CalendarPeriodRow[]>;

export const findCalendarPeriod = (q: Queryable, id: number) =>
  q<CalendarPeriodRow>('calendar_periods').where({ id }).first() as Promise<CalendarPeriodRow | undefined>;

export type CalendarWrite = Omit<CalendarPeriodRow, 'id'>;

export async function insertCalendarPeriod(q: Queryable, row: CalendarWrite): Promise<number> {
  const [r] = await q('calendar_periods').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const updateCalendarPeriod = (q: Queryable, id: number, row: CalendarWrite) =>
  q('calendar_periods').where({ id }).update(row);
export const deleteCalendarPeriod = (q: Queryable, id: number) =>
  q('calendar_periods').where({ id }).delete();
