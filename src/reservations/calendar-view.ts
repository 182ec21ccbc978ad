// The month calendar a parent (or the desk) sees: per child and service, weeks of cells with
// their state in words and what may be done with them.
import type { AppDeps } from '../deps.js';
import { monthBounds, today } from '../platform/clock.js';
import { dayStatesFrom, publicHolidaysIn, type DayState } from '../services/calendar.js';
import { addDays, weekDaysOf } from '../platform/days.js';
import type { Calendar } from './rules.js';
import {
  bookingRefusal,
  canCancel,
  canDeclareSick,
  rulesOf,
  seatGroup,
  type Refusal,
  type ServiceRules,
} from './policy.js';
import * as repo from './repository.js';
import type { ReservationRow, ServiceRow } from './repository.js';
import { calendarFacts } from './calendar-repository.js';
import { CALENDAR_MARGIN_DAYS, slotKey } from './slots.js';

export function createCalendarViewService(deps: AppDeps) {
  const { db, clock } = deps;

  /**
   * The month calendars of the children: per child, per service with an accepted enrolment,
   * weeks of Monday–Friday cells with their state in words.
   */
  async function monthCalendars(input: {
    householdId: number;
    children: {
      id: number;
      first_name: string;
      birth_date: string;
      school_id: number | null;
      custody_weeks: 'odd' | 'even' | null;
    }[];
    month: string;
    staff?: boolean;
  }) {
    const first = `${input.month}-01`;
    const last = monthBounds(input.month).to;
    const gridFrom = weekDaysOf(first)[0]!;
    const gridTo = weekDaysOf(last)[6]!;
    const childIds = input.children.map((c) => c.id);
    if (!childIds.length) return [];
    const now = clock.now();
    const calendarFrom = addDays(gridFrom, -CALENDAR_MARGIN_DAYS);
    const { enrolments, services, periods, reservations, seats, attendance, closures } = await calendarFacts(
      db,
      input.householdId,
      childIds,
      {
        from: gridFrom,
        to: gridTo,
        periodsFrom: calendarFrom,
      },
    );
    const calendar: Calendar = { publicHolidays: publicHolidaysIn(periods, calendarFrom, gridTo) };
    const publicHolidays = publicHolidaysIn(periods, gridFrom, gridTo);
    const statesByService = new Map<number, Map<string, DayState>>(
      services.map((s) => {
        const closed = new Map(closures.filter((c) => c.service_id === s.id).map((c) => [c.day, c.reason]));
        return [s.id, dayStatesFrom(s, gridFrom, gridTo, { periods, publicHolidays, closed })];
      }),
    );
    // Indexed once per page instead of a scan of every row for every cell. Rows are looked up by
    // child: those of the household's other children (calendarFacts may read them) never show.
    const rowsOfCell = new Map<string, ReservationRow[]>();
    for (const r of reservations) {
      const key = slotKey({ serviceId: r.service_id, childId: r.child_id, day: r.day });
      const list = rowsOfCell.get(key);
      if (list) list.push(r);
      else rowsOfCell.set(key, [r]);
    }
    const presenceOf = new Map(
      attendance.map((a) => [
        slotKey({ serviceId: a.service_id, childId: a.child_id, day: a.day }),
        a.status,
      ]),
    );
    const enrolmentOf = new Map(enrolments.map((e) => [`${e.child_id}|${e.service_id}`, e]));
    const todayDay = today(clock);
    // The grid's weeks (Monday to Friday), computed once for every calendar of the page.
    const grid: { monday: string; days: string[] }[] = [];
    for (let monday = gridFrom; monday <= gridTo; monday = addDays(monday, 7))
      grid.push({ monday, days: [0, 1, 2, 3, 4].map((i) => addDays(monday, i)) });
    // A deadline gives every child of the page the same answer on a day (and custody week):
    // worked out once per page, not once per cell; services with the same deadline share it.
    const decided = new Map<string, boolean | Refusal | null>();
    const decide = <V extends boolean | Refusal | null>(key: string, work: () => V): V => {
      if (!decided.has(key)) decided.set(key, work());
      return decided.get(key) as V;
    };

    return input.children.map((child) => ({
      child,
      calendars: services
        .filter((s) => enrolmentOf.has(`${child.id}|${s.id}`))
        .map((service) => {
          const rules = rulesOf(service);
          const cancelRule = JSON.stringify(rules.cancelDeadline);
          const states = statesByService.get(service.id)!;
          const weekdays =
            enrolmentOf.get(`${child.id}|${service.id}`)?.options?.weekdays ?? service.weekdays;
          const weeks: { monday: string; days: (Cell | null)[] }[] = [];
          for (const { monday, days: weekDays } of grid) {
            const days = weekDays.map((day) =>
              day < first || day > last ? null : cellOf(service, rules, states.get(day), day),
            );
            if (days.some((d) => d !== null)) weeks.push({ monday, days });
          }
          return { service, rules, weeks, patternWeekdays: weekdays.map(Number) };

          function cellOf(s: ServiceRow, r: ServiceRules, state: DayState | undefined, day: string): Cell {
            const key = slotKey({ serviceId: s.id, childId: child.id, day });
            const rows = rowsOfCell.get(key) ?? [];
            const live = rows.find((x) => repo.LIVE_STATUSES.includes(x.status as repo.LiveStatus));
            const last = live ?? rows[rows.length - 1];
            const presence = presenceOf.get(key) ?? null;
            const base = {
              day,
              today: day === todayDay,
              reservation: last ?? null,
              attendance: presence,
              note: state && !state.open && state.reason === 'closed_by_town' ? state.note : null,
            };
            if (live?.status === 'booked') {
              const cancellable = decide(`cancel|${cancelRule}|${day}`, () =>
                canCancel(r, now, day, calendar),
              );
              const sickable =
                !cancellable && decide(`sick|${r.sickUntil}|${day}`, () => canDeclareSick(r, now, day));
              // At the desk staff may cancel any coming day (late or free, their choice).
              const selectable = cancellable || sickable || (Boolean(input.staff) && day >= todayDay);
              return { ...base, state: 'booked', selectable, cancellable, sickable };
            }
            if (live?.status === 'waiting')
              return {
                ...base,
                state: 'waiting',
                selectable: day >= todayDay,
                cancellable: true,
                sickable: false,
              };
            if (live?.status === 'sick')
              return { ...base, state: 'sick', selectable: false, cancellable: false, sickable: false };
            const refusal = decide(`refusal|${s.id}|${day}|${child.custody_weeks}`, () =>
              bookingRefusal(
                r,
                { now, day, enrolled: true, state, custody: child.custody_weeks, calendar },
                { staff: input.staff },
              ),
            );
            if (refusal)
              return { ...base, state: refusal, selectable: false, cancellable: false, sickable: false };
            const group = seatGroup(r, child, day);
            const full =
              group.capacity !== null &&
              (seats.get(repo.seatKey(s.id, day, group.key)) ?? 0) >= group.capacity;
            return {
              ...base,
              state: full ? 'full' : 'bookable',
              selectable: true,
              cancellable: false,
              sickable: false,
            };
          }
        }),
    }));
  }

  return { monthCalendars };
}

export interface Cell {
  day: string;
  today: boolean;
  /** 'booked' | 'waiting' | 'sick' | 'bookable' | 'full' | a Refusal. */
  state: string;
  selectable: boolean;
  cancellable: boolean;
  sickable: boolean;
  reservation: ReservationRow | null;
  attendance: string | null;
  note: string | null;
}
