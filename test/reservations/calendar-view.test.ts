// The month calendar partial (views/reservations/_calendar.ejs), rendered by the app's view engine
// and read with cheerio, cell by cell: the table's caption and headers, states and their hints, the
// labelled checkbox of a day that can be ticked (ticked again when the form comes back with an
// error), the closure note, the attendance, today, and every value escaped.
import * as cheerio from 'cheerio';
import express from 'express';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/reservations/service.js';
import { calendarLabels, checkedSlots } from '../../src/reservations/view-labels.js';
import { viewHelpers } from '../../src/web/format.js';
import { getT } from '../../src/web/i18n.js';
import { setUpViews } from '../../src/web/render.js';

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
        cell('2026-12-01', 'booked', {
          selectable: true,
          cancellable: true,
          attendance: 'present',
          today: true,
        }),
        cell('2026-12-02', 'booked', { selectable: true, sickable: true }),
        cell('2026-12-03', 'closed', { note: 'Grève <i>' }),
        cell('2026-12-04', 'bookable', { selectable: true }),
      ],
    },
  ],
};

function render(): Promise<string> {
  const app = express();
  setUpViews(app, false);
  const t = getT();
  const locals = {
    ...viewHelpers,
    t,
    layout: false,
    child,
    cal,
    monthLabel: 'décembre 2026',
    checked: checkedSlots(['7:3:2026-12-04', 'abc']),
    labels: calendarLabels(t),
  };
  return new Promise((resolve, reject) =>
    app.render('reservations/_calendar', locals, (err, html) => (err ? reject(err) : resolve(html!))),
  );
}

describe('the month calendar', () => {
  it('is a table named after the month, the service and the child, with its weekdays and weeks as headers, escaped', async () => {
    const html = await render();
    const $ = cheerio.load(html);
    expect($('table.calendar caption').text()).toBe('décembre 2026 – Cantine "Jaurès" & co – Zoé <b>');
    expect(
      $('thead th[scope="col"]')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual(['lun.', 'mar.', 'mer.', 'jeu.', 'ven.']);
    expect($('thead th[scope="col"] abbr').first().attr('title')).toBe('lundi');
    expect($('tbody th[scope="row"]').text()).toBe('Semaine du 30 novembre');
    expect(html).not.toMatch(/<b>|<i>/);
  });

  it('shows each day of the month with its state, and an empty cell for a day outside it', async () => {
    const $ = cheerio.load(await render());
    const cells = $('tbody td')
      .toArray()
      .map((td) => $(td));
    expect(cells).toHaveLength(5);
    expect(cells[0]!.attr('class')).toBe('calendar__day calendar__day--empty');
    expect(cells[0]!.html()).toBe('');
    // A booked day that can still be cancelled, today, with its attendance; a checkbox labelled for the screen reader.
    expect(cells[1]!.attr('class')).toBe('calendar__day calendar__day--booked calendar__day--today');
    const box = cells[1]!.find('input[type="checkbox"]');
    expect(box.attr('name')).toBe('slots');
    expect(box.attr('value')).toBe('7:3:2026-12-01');
    expect(box.is(':checked')).toBe(false);
    const label = cells[1]!.find(`label[for="${box.attr('id')}"]`);
    // The checkbox's name reads once: the visible "mardi 1", then the month, service and child.
    expect(label.text()).toBe('mardi 1 décembre 2026, Cantine "Jaurès" & co, Zoé <b>');
    expect(label.find('.visually-hidden').text()).toBe(' décembre 2026, Cantine "Jaurès" & co, Zoé <b>');
    expect(cells[1]!.find('.calendar__state').text()).toBe('réservé, annulable – présent');
    expect(cells[2]!.find('.calendar__state').text()).toBe(
      'réservé, annulation close : enfant malade possible',
    );
    // A day closed by the town: no checkbox, the reason shown.
    expect(cells[3]!.attr('class')).toBe('calendar__day calendar__day--closed');
    expect(cells[3]!.find('input')).toHaveLength(0);
    expect(cells[3]!.find('.calendar__label').text()).toBe('jeudi 3');
    expect(cells[3]!.find('.calendar__state').text()).toBe('fermé (motif : Grève <i>)');
    // A bookable day the form sent back ticked is ticked again.
    expect(cells[4]!.find('input').attr('value')).toBe('7:3:2026-12-04');
    expect(cells[4]!.find('input').is(':checked')).toBe(true);
    expect(cells[4]!.find('.calendar__state').text()).toBe('réservable');
    // Every checkbox has its own label.
    expect(
      $('input[type="checkbox"]')
        .toArray()
        .every((input) => $(`label[for="${$(input).attr('id')}"]`).length === 1),
    ).toBe(true);
  });

  it('reads the slots sent back in every shape a form gives them', () => {
    expect([...checkedSlots(undefined)]).toEqual([]);
    expect([...checkedSlots('7:3:2026-12-04')]).toEqual(['7:3:2026-12-04']);
    expect([...checkedSlots(['a', 'b'])]).toEqual(['a', 'b']);
  });
});
