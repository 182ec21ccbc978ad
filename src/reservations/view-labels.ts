// The catalogue texts the month calendars (views/reservations/_calendar.ejs) and the attendance
// sheet's rows (views/admin/attendance/_rows.ejs) repeat in every cell or row: looked up once per
// page by the route and handed to the partials. And the slots a booking form sent back.
import type { T } from '../web/i18n.js';

type Texts = Record<string, string>;

/** A catalogue subtree of plain texts ('reservations.states' → { booked: 'réservé', … }). */
const textsOf = (t: T, key: string) => t(key, { returnObjects: true }) as unknown as Texts;

/** The month calendars' repeated texts: weekday names, cell states and hints, attendance marks. */
export function calendarLabels(t: T) {
  return {
    weekdays: textsOf(t, 'reservations.weekdays'),
    weekdaysShort: textsOf(t, 'reservations.weekdaysShort'),
    states: textsOf(t, 'reservations.states'),
    hints: textsOf(t, 'reservations.cellHints'),
    attendance: textsOf(t, 'reservations.attendance'),
  };
}

/** The slots a form sent back ("child:service:day"), ticked again when it is shown with an error. */
export function checkedSlots(value: unknown): ReadonlySet<string> {
  return new Set((Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String));
}

/** The attendance sheet's repeated texts: the marks, the needs, each diet's line. */
export function sheetLabels(t: T) {
  const attendance = textsOf(t, 'reservations.attendance');
  const diets = textsOf(t, 'reservations.diets');
  return {
    pai: t('reservations.admin.attendance.pai'),
    sick: t('reservations.admin.attendance.sick'),
    unbooked: attendance.present_unbooked!,
    noPickup: t('reservations.admin.attendance.noPickup'),
    notRecorded: t('reservations.admin.attendance.notRecorded'),
    save: t('reservations.admin.attendance.save'),
    statuses: (['present', 'absent_excused', 'absent'] as const).map((value) => ({
      value,
      label: attendance[value]!,
    })),
    diet: Object.fromEntries(
      Object.entries(diets).map(([diet, label]) => [
        diet,
        t('reservations.admin.attendance.diet', { diet: label }),
      ]),
    ),
  };
}
