// Services of a school year (what a child can be enrolled in) and the town calendar. Staff edit
// both; every change is audited. Eligibility of a child is decided here, for the enrolment wizard.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { isUniqueViolation, withTransaction, type Queryable } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import {
  currentSchoolYear,
  deleteCalendarPeriod,
  findCalendarPeriod,
  findSchool,
  findSchoolYear,
  findService,
  insertCalendarPeriod,
  insertService,
  listBracketPrices,
  listCalendarPeriods,
  listDocumentTypes,
  listRates,
  listRequirements,
  listSchools,
  listSchoolYears,
  listServices,
  NURSERY_LEVELS,
  replaceRequirements,
  replaceServiceSchools,
  serviceSchoolIds,
  updateCalendarPeriod,
  updateService,
  type BracketPriceRow,
  type RateRow,
  type RequirementRow,
  type SchoolRow,
  type ServiceRow,
} from './repository.js';
import type { CalendarInput, ServiceInput } from './schemas.js';

export interface ServiceDetails extends ServiceRow {
  schoolIds: number[];
  requirements: RequirementRow[];
  rate: RateRow | null;
  prices: BracketPriceRow[];
}

/** Why a child cannot be enrolled in a service (a catalogue key and its parameters), or null. */
export interface Ineligibility {
  key: string;
  params: Record<string, unknown>;
}

export interface ChildForEligibility {
  birth_date: string | null;
  school_id: number | null;
  class_level: string | null;
}

/** Full years of age on a day. */
function ageOn(birthDate: string, day: string): number {
  return Math.floor(DateTime.fromISO(day).diff(DateTime.fromISO(birthDate), 'years').years);
}

/** The catchment school of a street for a class level (nursery levels go to the nursery school). */
export function catchmentSchoolId(
  street: { elementary_school_id: number | null; nursery_school_id: number | null } | undefined,
  classLevel: string | null,
): number | null {
  if (!street) return null;
  return classLevel && NURSERY_LEVELS.includes(classLevel)
    ? street.nursery_school_id
    : street.elementary_school_id;
}

export function createServicesService(deps: AppDeps) {
  const { db } = deps;

  async function withDetails(q: Queryable, services: ServiceRow[]): Promise<ServiceDetails[]> {
    const ids = services.map((s) => s.id);
    if (!ids.length) return [];
    const [schools, reqs, rates, prices] = await Promise.all([
      serviceSchoolIds(q, ids),
      listRequirements(q, ids),
      listRates(q, ids),
      listBracketPrices(q, ids),
    ]);
    return services.map((s) => ({
      ...s,
      schoolIds: schools.get(s.id) ?? [],
      requirements: reqs.filter((r) => r.service_id === s.id),
      rate: rates.find((r) => r.service_id === s.id) ?? null,
      prices: prices.filter((p) => p.service_id === s.id),
    }));
  }

  return {
    today: () => today(deps.clock),
    schoolYears: () => listSchoolYears(db),
    schools: () => listSchools(db),
    documentTypes: () => listDocumentTypes(db),

    /** The school year shown by default: the running one, else the next one. */
    async currentYear() {
      return currentSchoolYear(db, today(deps.clock));
    },

    async list(schoolYearId: string, opts: { activeOnly?: boolean } = {}) {
      return withDetails(db, await listServices(db, schoolYearId, opts));
    },

    async get(id: number, q: Queryable = db): Promise<ServiceDetails | undefined> {
      const s = await findService(q, id);
      return s ? (await withDetails(q, [s]))[0] : undefined;
    },

    /**
     * Whether a child may be enrolled: the private-school canteen rule, eligible schools, class
     * levels and ages (age on the service period's first day).
     */
    async ineligibility(
      service: ServiceDetails,
      child: ChildForEligibility,
      q: Queryable = db,
    ): Promise<Ineligibility | null> {
      const school: SchoolRow | undefined = child.school_id
        ? await findSchool(q, child.school_id)
        : undefined;
      if (service.kind === 'canteen' && school?.runs_own_canteen) {
        return {
          key: 'enrolments.ineligible.ownCanteen',
          params: { school: school.name, contact: school.canteen_contact ?? '' },
        };
      }
      if (
        service.kind !== 'school' &&
        service.schoolIds.length &&
        !(child.school_id && service.schoolIds.includes(child.school_id))
      ) {
        return { key: 'enrolments.ineligible.school', params: { school: school?.name ?? '' } };
      }
      if (
        service.class_levels?.length &&
        !(child.class_level && service.class_levels.includes(child.class_level))
      ) {
        return {
          key: 'enrolments.ineligible.classLevel',
          params: { levels: service.class_levels.join(', ') },
        };
      }
      if ((service.min_age != null || service.max_age != null) && child.birth_date) {
        const year = await findSchoolYear(q, service.school_year_id);
        const start = year && year.starts_on > today(deps.clock) ? year.starts_on : today(deps.clock);
        const age = ageOn(child.birth_date, start);
        if (
          (service.min_age != null && age < service.min_age) ||
          (service.max_age != null && age > service.max_age)
        ) {
          return {
            key: 'enrolments.ineligible.age',
            params: { min: service.min_age ?? 0, max: service.max_age ?? 18 },
          };
        }
      }
      return null;
    },

    /** Whether the enrolment period is open today (staff at the desk may enrol outside it). */
    enrolmentOpen(service: ServiceRow): boolean {
      const d = today(deps.clock);
      return (
        (!service.enrol_opens_on || service.enrol_opens_on <= d) &&
        (!service.enrol_closes_on || d <= service.enrol_closes_on)
      );
    },

    /** Staff: creates or updates a service with its schools and required documents. */
    async save(
      id: number | null,
      input: ServiceInput,
      requirements: { document_type_id: number; rule: 'valid_at_start' | 'valid_whole_period' }[],
      actor: Actor,
    ): Promise<number> {
      if (!(await findSchoolYear(db, input.school_year_id)))
        throw new FormError('school_year_id', 'services.errors.schoolYear');
      if (input.min_age != null && input.max_age != null && input.min_age > input.max_age)
        throw new FormError('max_age', 'services.errors.ageOrder');
      if (input.enrol_opens_on && input.enrol_closes_on && input.enrol_opens_on > input.enrol_closes_on)
        throw new FormError('enrol_closes_on', 'services.errors.enrolOrder');
      if (input.opening_days === 'school_days' && !input.weekdays.length)
        throw new FormError('weekdays', 'services.errors.weekdaysRequired');
      const schools = await listSchools(db);
      const known = new Set(schools.map((s) => s.id));
      if (input.site_school_id != null && !known.has(input.site_school_id))
        throw new FormError('site_school_id', 'errors.invalid');
      if (input.schools.some((s) => !known.has(s))) throw new FormError('schools', 'errors.invalid');
      const weekdays =
        input.opening_days === 'wednesdays'
          ? [3]
          : input.opening_days === 'school_days'
            ? [...new Set(input.weekdays)].sort()
            : [1, 2, 3, 4, 5];
      const row = {
        school_year_id: input.school_year_id,
        kind: input.kind,
        name: input.name,
        description: input.description,
        site_school_id: input.site_school_id,
        opening_days: input.opening_days,
        weekdays,
        enrol_opens_on: input.enrol_opens_on,
        enrol_closes_on: input.enrol_closes_on,
        needs_validation: input.needs_validation,
        class_levels: input.class_levels.length ? input.class_levels : null,
        min_age: input.min_age,
        max_age: input.max_age,
        unit: input.unit,
        billing_basis: input.billing_basis,
        active: input.active,
        meals: [...new Set(input.meals)].sort(),
      };
      try {
        return await withTransaction(db, async (tx) => {
          let serviceId = id;
          if (serviceId == null) serviceId = await insertService(tx, row);
          else await updateService(tx, serviceId, row);
          await replaceServiceSchools(tx, serviceId, [...new Set(input.schools)]);
          await replaceRequirements(tx, serviceId, requirements);
          await deps.audit.record(tx, actor, id == null ? 'services.created' : 'services.updated', {
            type: 'service',
            id: serviceId,
          });
          return serviceId;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new FormError('name', 'services.errors.nameTaken');
        throw err;
      }
    },

    // ---- the town calendar

    calendar: (schoolYearId: string) => listCalendarPeriods(db, schoolYearId),
    findPeriod: (id: number) => findCalendarPeriod(db, id),

    async savePeriod(id: number | null, input: CalendarInput, actor: Actor): Promise<number> {
      const year = await findSchoolYear(db, input.school_year_id);
      if (!year) throw new FormError('school_year_id', 'services.errors.schoolYear');
      // Both ends, always: an open-ended period would open a service for bookings for ever.
      if (!input.ends_on) throw new FormError('ends_on', 'services.calendar.errors.endsOnRequired');
      if (input.ends_on && input.ends_on < input.starts_on)
        throw new FormError('ends_on', 'services.calendar.errors.order');
      // A period belongs to its school year: from a month before it starts to two months after it ends.
      const from = DateTime.fromISO(year.starts_on).minus({ months: 1 }).toISODate()!;
      const to = DateTime.fromISO(year.ends_on).plus({ months: 2 }).toISODate()!;
      if (input.starts_on < from || input.starts_on > to)
        throw new FormError('starts_on', 'services.calendar.errors.outOfYear', { year: year.id });
      if (input.ends_on && input.ends_on > to)
        throw new FormError('ends_on', 'services.calendar.errors.outOfYear', { year: year.id });
      const row = {
        school_year_id: input.school_year_id,
        kind: input.kind,
        name: input.name,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
      };
      try {
        return await withTransaction(db, async (tx) => {
          let periodId = id;
          if (periodId == null) periodId = await insertCalendarPeriod(tx, row);
          else await updateCalendarPeriod(tx, periodId, row);
          await deps.audit.record(
            tx,
            actor,
            id == null ? 'calendar.created' : 'calendar.updated',
            { type: 'calendar_period', id: periodId },
            { kind: input.kind, starts_on: input.starts_on },
          );
          return periodId;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new FormError('starts_on', 'services.calendar.errors.duplicate');
        throw err;
      }
    },

    async deletePeriod(id: number, actor: Actor): Promise<boolean> {
      return withTransaction(db, async (tx) => {
        const n = await deleteCalendarPeriod(tx, id);
        if (n) await deps.audit.record(tx, actor, 'calendar.deleted', { type: 'calendar_period', id });
        return n > 0;
      });
    },
  };
}

// Reads other features may use (their rows are this feature's: no other feature queries them).
export { findSchool, findSchoolYear, listSchools } from './repository.js';
