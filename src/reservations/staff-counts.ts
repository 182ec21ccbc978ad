// Counts for the staff home (src/admin): the attendance sheets open today that this staff member
// may take (an animator: their sites' services, as the sheet page decides).
import type { Queryable } from '../platform/db.js';
import { dayStatesFrom, publicHolidaysIn } from '../services/calendar.js';
import { sheetFacts } from './staff-repository.js';

/** The services whose sheet is open on `day` for this account, in the sheet page's order. */
export async function openSheetsOn(
  q: Queryable,
  account: { id: number; role: string },
  day: string,
): Promise<{ id: number; name: string }[]> {
  const { services, periods, closures } = await sheetFacts(q, account, day);
  const publicHolidays = publicHolidaysIn(periods, day, day);
  return services
    .filter((s) => {
      const closed = new Map(closures.filter((c) => c.service_id === s.id).map((c) => [day, c.reason]));
      return dayStatesFrom(s, day, day, { periods, publicHolidays, closed }).get(day)?.open === true;
    })
    .map((s) => ({ id: s.id, name: s.name }));
}
