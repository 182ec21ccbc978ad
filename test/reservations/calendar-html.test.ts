// The month calendar's HTML (src/reservations/calendar-html.ts), cell by cell: states and their
// hints, the checkbox of a day that can be ticked (checked again when the form comes back with an
// error), the closure note, the attendance, today, and every value escaped.
import { describe, expect, it } from 'vitest';
import { checkedSlots, monthCalendarHtml } from '../../src/reservations/calendar-html.js';
import type { Cell } from '../../src/reservations/service.js';
import { getT } from '../../src/web/i18n.js';

const cell = (day: string, state: string, more: Partial<Cell> = {}): Cell => ({
  day,
  today: false,
  state,
  selectable: false,
  cancellable: false,
  sickable: false,
  reservation: null,
  attendance: null,
  note: null,
  ...more,
});

const child = { id: 7, first_name: 'Zoé <b>' };
const cal = {
  service: { id: 3, name: 'Cantine "Jaurès" & co' },
  weeks: [
    {
      monday: '2026-11-30',
      days: [
        null, // 30 November: not in the month
        cell('2026-12-01', 'booked', { selectable: true, cancellable: true, attendance: 'present', today: true }),
        cell('2026-12-02', 'booked', { selectable: true, sickable: true }),
        cell('2026-12-03', 'closed', { note: 'Grève <i>' }),
        cell('2026-12-04', 'bookable', { selectable: true }),
      ],
    },
  ],
};

describe('monthCalendarHtml', () => {
  const html = monthCalendarHtml({ child, cal, monthLabel: 'décembre 2026', checked: checkedSlots(['7:3:2026-12-04', 'abc']), t: getT('fr') });
  const cells = html.split('<td class="calendar__day').slice(1);

  it('names the table after the month, the service and the child, escaped', () => {
    expect(html).toContain('<caption>décembre 2026 – Cantine &#34;Jaurès&#34; &amp; co – Zoé &lt;b&gt;</caption>');
    expect(html).toContain('<th scope="col"><abbr title="lundi">lun.</abbr></th>');
    expect(html).toContain('<th scope="row">Semaine du 30 novembre</th>');
    expect(html).not.toMatch(/<b>|<i>/);
  });

  it('writes each day of the month with its state, and an empty cell for a day outside it', () => {
    expect(cells).toHaveLength(5);
    expect(cells[0]).toBe(' calendar__day--empty"></td>');
    // A booked day that can still be cancelled, today, with its attendance; a checkbox named for the screen reader.
    expect(cells[1]).toContain(' calendar__day--booked calendar__day--today"><div class="calendar__cell">');
    expect(cells[1]).toContain('<input class="calendar__input" type="checkbox" id="d-7-3-2026-12-01" name="slots" value="7:3:2026-12-01">');
    expect(cells[1]).toContain(
      '<label class="calendar__label" for="d-7-3-2026-12-01"><span class="calendar__weekday">mardi</span> <span class="calendar__date">1</span>' +
        '<span class="visually-hidden"> mardi 1 décembre 2026, Cantine &#34;Jaurès&#34; &amp; co, Zoé &lt;b&gt;</span></label>',
    );
    expect(cells[1]).toContain('<span class="calendar__state">réservé, annulable – présent</span>');
    expect(cells[2]).toContain('<span class="calendar__state">réservé, annulation close : enfant malade possible</span>');
    // A day closed by the town: no checkbox, the reason shown (escaped).
    expect(cells[3]).toContain(' calendar__day--closed">');
    expect(cells[3]).not.toContain('<input');
    expect(cells[3]).toContain('<span class="calendar__label"><span class="calendar__weekday">jeudi</span> <span class="calendar__date">3</span></span>');
    expect(cells[3]).toContain('<span class="calendar__state">fermé (motif : Grève &lt;i&gt;)</span>');
    // A bookable day the form sent back ticked is ticked again.
    expect(cells[4]).toContain('value="7:3:2026-12-04" checked>');
    expect(cells[4]).toContain('<span class="calendar__state">réservable</span>');
  });

  it('reads the slots sent back in every shape a form gives them', () => {
    expect([...checkedSlots(undefined)]).toEqual([]);
    expect([...checkedSlots('7:3:2026-12-04')]).toEqual(['7:3:2026-12-04']);
    expect([...checkedSlots(['a', 'b'])]).toEqual(['a', 'b']);
  });
});
