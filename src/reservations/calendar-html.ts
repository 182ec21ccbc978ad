// One child's month calendar for one service as HTML, written by a plain function rather than by
// EJS (views/reservations/_booking-form.ejs calls it for each calendar): the booking page shows
// every child's calendars, hundreds of cells, and the cells' template code was the largest part
// of its CPU (docs/performance.md, eighth round). Each catalogue text is looked up once per
// calendar; every value is escaped.
import type { T } from '../web/i18n.js';
import { formatDate } from '../web/format.js';
import { escapedTexts, filler } from '../web/html-text.js';
import { escapeHtml } from '../web/render.js';
import type { Cell } from './service.js';

/** A cell's state → the colour class of its day. */
const CSS_STATE: Record<string, string> = { booked: 'booked', bookable: 'bookable', full: 'full', waiting: 'full', sick: 'past', deadline: 'past' };
const WEEKDAYS = [1, 2, 3, 4, 5] as const;

export interface MonthCalendarInput {
  child: { id: number; first_name: string };
  cal: { service: { id: number; name: string }; weeks: readonly { monday: string; days: readonly (Cell | null)[] }[] };
  /** "novembre 2026". */
  monthLabel: string;
  /** The form's ticked slots ("child:service:day") when it is shown again with an error. */
  checked: ReadonlySet<string>;
  t: T;
}

/** The slots a form sent back, as `checked` wants them. */
export function checkedSlots(value: unknown): ReadonlySet<string> {
  return new Set((Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String));
}

/**
 * A table of the month's weeks (Monday to Friday): each day of the month a cell with its state,
 * a labelled checkbox ("slots" = child:service:day) when it can be ticked, and the attendance
 * once taken.
 */
export function monthCalendarHtml({ child, cal, monthLabel, checked, t }: MonthCalendarInput): string {
  const childId = escapeHtml(child.id);
  const serviceId = escapeHtml(cal.service.id);
  const label = escapedTexts(t);
  const weekday = WEEKDAYS.map((wd) => label(`reservations.weekdays.${wd}`));
  // The visually hidden name of a day's checkbox, its date put in for each day.
  const cellLabel = filler(t, 'reservations.cellLabel', 'date', { service: cal.service.name, child: child.first_name });

  let html =
    `<div class="table-wrap"><table class="calendar"><caption>${escapeHtml(t('reservations.calendarCaption', { month: monthLabel, service: cal.service.name, child: child.first_name }))}</caption>` +
    `<thead><tr><td></td>${WEEKDAYS.map((wd) => `<th scope="col"><abbr title="${weekday[wd - 1]}">${label(`reservations.weekdaysShort.${wd}`)}</abbr></th>`).join('')}</tr></thead><tbody>\n`;
  for (const week of cal.weeks) {
    html += `<tr><th scope="row">${escapeHtml(t('reservations.weekOf', { day: formatDate(week.monday).replace(/ \d{4}$/, '') }))}</th>`;
    week.days.forEach((cell, i) => {
      if (!cell) {
        html += '<td class="calendar__day calendar__day--empty"></td>';
        return;
      }
      const day = escapeHtml(cell.day);
      const dayOfMonth = `<span class="calendar__weekday">${weekday[i]}</span> <span class="calendar__date">${Number(cell.day.slice(8))}</span>`;
      html += `<td class="calendar__day calendar__day--${CSS_STATE[cell.state] ?? 'closed'}${cell.today ? ' calendar__day--today' : ''}"><div class="calendar__cell">`;
      if (cell.selectable) {
        const id = `d-${childId}-${serviceId}-${day}`;
        const value = `${childId}:${serviceId}:${day}`;
        const date = formatDate(cell.day, 'weekday');
        html +=
          `<input class="calendar__input" type="checkbox" id="${id}" name="slots" value="${value}"${checked.has(`${child.id}:${cal.service.id}:${cell.day}`) ? ' checked' : ''}>` +
          `<label class="calendar__label" for="${id}">${dayOfMonth}<span class="visually-hidden"> ${cellLabel(date)}</span></label>`;
      } else {
        html += `<span class="calendar__label">${dayOfMonth}</span>`;
      }
      let state = label(`reservations.states.${cell.state}`);
      if (cell.state === 'booked' && cell.cancellable) state += `, ${label('reservations.cellHints.cancellable')}`;
      else if (cell.state === 'booked' && cell.sickable) state += `, ${label('reservations.cellHints.sickable')}`;
      if (cell.note) state += ` (${escapeHtml(t('reservations.closedNote', { note: cell.note }))})`;
      if (cell.attendance) state += ` – ${label(`reservations.attendance.${cell.attendance}`)}`;
      html += ` <span class="calendar__state">${state}</span></div></td>`;
    });
    html += '</tr>\n';
  }
  return `${html}</tbody></table></div>\n`;
}

/** What views/reservations/_booking-form.ejs needs in its locals, for the routes that render it. */
export const calendarViews = { monthCalendarHtml, checkedSlots };
