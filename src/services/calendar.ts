// The days a service runs, from the town calendar (calendar_periods) and the service's opening
// rule, minus public holidays and the days staff closed for that service (service_day_closures).
// Read-only and set-based: the reservations, services and billing features all ask it.
import type { Queryable } from '../platform/db.js';
import { addDays, isoWeekdayOf } from '../platform/days.js';

/** What of a service decides its open days (a `services` row has these columns). */
export interface ServiceOpening {
  id: number;
  /** 'school_days' | 'wednesdays' | 'holidays' | 'none' */
  opening_days: string;
  /** ISO weekdays (1 = Monday) for 'school_days'. */
  weekdays: readonly number[];
  /** When set, only that school year's periods count. */
  school_year_id?: string | null;
}

export interface Period {
  kind: 'school' | 'holiday' | 'public_holiday';
  starts_on: string;
  /** Inclusive; never null (migration 20261207090000). */
  ends_on: string;
}

function inPeriods(day: string, periods: readonly Period[]): boolean {
  return periods.some((p) => p.starts_on <= day && day <= p.ends_on);
}

async function periodsBetween(
  q: Queryable,
  from: string,
  to: string,
  schoolYearId?: string | null,
): Promise<Period[]> {
  return (await q('calendar_periods')
    .where('starts_on', '<=', to)
    .andWhere('ends_on', '>=', from)
    .modify((qb) => {
      if (schoolYearId) qb.where({ school_year_id: schoolYearId });
    })
    .select('kind', 'starts_on', 'ends_on')) as Period[];
}

/** Public holidays (and bridge days the town declared) between two days, inclusive. */
export async function publicHolidaysBetween(q: Queryable, from: string, to: string): Promise<Set<string>> {
  return publicHolidaysIn(await periodsBetween(q, from, to), from, to);
}

/** The same, from periods already read (any kinds, any range covering from–to). */
export function publicHolidaysIn(periods: readonly Period[], from: string, to: string): Set<string> {
  const days = new Set<string>();
  for (const p of periods) {
    if (p.kind !== 'public_holiday') continue;
    for (let d = p.starts_on < from ? from : p.starts_on; d <= p.ends_on && d <= to; d = addDays(d, 1))
      days.add(d);
  }
  return days;
}

/** Days closed for the service by staff, with their reason. */
async function closedDaysOf(
  q: Queryable,
  serviceId: number,
  from: string,
  to: string,
): Promise<Map<string, string>> {
  const rows = (await q('service_day_closures')
    .where({ service_id: serviceId })
    .whereBetween('day', [from, to])
    .select('day', 'reason')) as { day: string; reason: string }[];
  return new Map(rows.map((r) => [r.day, r.reason]));
}

/**
 * Whether the calendar alone opens the service on `day` (before public holidays and closures):
 * 'school_days': its weekdays within a school period, outside holidays; 'wednesdays': Wednesdays
 * likewise; 'holidays': Monday to Friday within a holiday period; 'none': never.
 */
function calendarOpens(service: ServiceOpening, day: string, school: Period[], holidays: Period[]): boolean {
  const weekday = isoWeekdayOf(day);
  switch (service.opening_days) {
    case 'school_days':
      return (
        service.weekdays.map(Number).includes(weekday) && inPeriods(day, school) && !inPeriods(day, holidays)
      );
    case 'wednesdays':
      return weekday === 3 && inPeriods(day, school) && !inPeriods(day, holidays);
    case 'holidays':
      return weekday <= 5 && inPeriods(day, holidays);
    default:
      return false;
  }
}

export type DayState =
  | { open: true }
  | { open: false; reason: 'closed_by_town'; note: string }
  | { open: false; reason: 'public_holiday' }
  | { open: false; reason: 'not_running' };

/**
 * Each day from `from` to `to` (inclusive): open, closed for the service by staff (with the
 * reason given), a public holiday on which it would otherwise run, or not running.
 */
export async function dayStates(
  q: Queryable,
  service: ServiceOpening,
  from: string,
  to: string,
): Promise<Map<string, DayState>> {
  if (from > to) return new Map();
  const periods = await periodsBetween(q, from, to, service.school_year_id);
  const publicHolidays = await publicHolidaysBetween(q, from, to);
  return dayStatesFrom(service, from, to, {
    periods,
    publicHolidays,
    closed: await closedDaysOf(q, service.id, from, to),
  });
}

/**
 * dayStates from facts already read: `periods` of the town calendar covering from–to (other
 * school years' are left out here), the public holidays and the service's closed days.
 */
export function dayStatesFrom(
  service: ServiceOpening,
  from: string,
  to: string,
  facts: {
    periods: readonly (Period & { school_year_id?: string | null })[];
    publicHolidays: ReadonlySet<string>;
    closed: ReadonlyMap<string, string>;
  },
): Map<string, DayState> {
  const states = new Map<string, DayState>();
  const { publicHolidays, closed } = facts;
  const ofYear = facts.periods.filter(
    (p) =>
      !service.school_year_id ||
      p.school_year_id === undefined ||
      p.school_year_id === service.school_year_id,
  );
  const school = ofYear.filter((p) => p.kind === 'school');
  const holidays = ofYear.filter((p) => p.kind === 'holiday');
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const runs = calendarOpens(service, day, school, holidays);
    const note = closed.get(day);
    if (runs && publicHolidays.has(day)) states.set(day, { open: false, reason: 'public_holiday' });
    else if (runs && note !== undefined) states.set(day, { open: false, reason: 'closed_by_town', note });
    else if (runs) states.set(day, { open: true });
    else states.set(day, { open: false, reason: 'not_running' });
  }
  return states;
}

/**
 * The days from `from` to `to` (inclusive, 'YYYY-MM-DD') the service is open, sorted: the calendar
 * rule minus public holidays and minus the days closed for this service.
 */
export async function openDays(
  q: Queryable,
  service: ServiceOpening,
  from: string,
  to: string,
): Promise<string[]> {
  if (service.opening_days === 'none') return [];
  const states = await dayStates(q, service, from, to);
  return [...states].filter(([, s]) => s.open).map(([day]) => day);
}
