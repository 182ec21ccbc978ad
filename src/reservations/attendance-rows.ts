// The rows of the attendance sheet as HTML, written by a plain function rather than by EJS: a sheet
// has hundreds of rows, and EJS evaluates every name of a template inside `with (locals)` and the
// rows called i18next's t() several times each (most of the page's CPU, docs/performance.md).
// Every catalogue text is looked up once per page here; every value is escaped.
import { boundedMemo } from '../platform/memo.js';
import { escapedTexts, filler } from '../web/html-text.js';
import type { T } from '../web/i18n.js';
import { escapeHtml } from '../web/render.js';
import type { SheetRow } from './staff-repository.js';

const STATUSES = ['present', 'absent_excused', 'absent'] as const;

export interface SheetRowsInput {
  rows: readonly SheetRow[];
  locked: boolean;
  t: T;
}

/**
 * One `<li>` per child inside the sheet's single form (views/admin/attendance/index.ejs, which
 * carries the CSRF token, the service and the day once, and marks the list data-autosave-rows): a
 * fieldset named after the child, their needs and authorised pick-ups, three radios named
 * `status-<child>` each inside its label, an `<output>` where the autosave script says "saved"
 * (a live region by its role), and a submit button `child=<child>` for use without JavaScript
 * (the row saved is the button's).
 * Lean on purpose: the sheet's cost (its CPU, the network, a phone's parsing) follows its size.
 * One form rather than one per row (the token and hidden fields were a third of a 360-child sheet's
 * 690 kB); radios inside their labels (no ids to pair them), classes on the list rather than on
 * every row: 500 kB → ≈ 280 kB (docs/performance.md, ninth round).
 */
export function attendanceRowsHtml({ rows, locked, t }: SheetRowsInput): string {
  const text = escapedTexts(t);
  const label = {
    pai: text('reservations.admin.attendance.pai'),
    sick: text('reservations.admin.attendance.sick'),
    unbooked: text('reservations.attendance.present_unbooked'),
    noPickup: text('reservations.admin.attendance.noPickup'),
    notRecorded: text('reservations.admin.attendance.notRecorded'),
    save: text('reservations.admin.attendance.save'),
  };
  const statusLabel = Object.fromEntries(STATUSES.map((st) => [st, text(`reservations.attendance.${st}`)]));
  const legend = filler(t, 'reservations.admin.attendance.statusLegend', 'child');
  const allergies = filler(t, 'reservations.admin.attendance.allergies', 'text');
  const pickups = filler(t, 'reservations.admin.attendance.pickups', 'names');
  const dietText = boundedMemo<string, string>();
  const diet = (d: string) => dietText(d, () => escapeHtml(t('reservations.admin.attendance.diet', { diet: t(`reservations.diets.${d}`) })));
  const fieldset = locked ? '<fieldset disabled>' : '<fieldset>';

  let html = '';
  for (const r of rows) {
    const id = escapeHtml(r.child_id);
    const first = escapeHtml(r.first_name);
    const last = escapeHtml(r.last_name);
    let info = escapeHtml([r.class_level, r.school].filter(Boolean).join(' – '));
    if (r.has_pai) info += ` – <strong>${label.pai}</strong>`;
    if (r.allergies) info += ` – <strong>${allergies(r.allergies)}</strong>`;
    if (r.diet && r.diet !== 'none') info += ` – ${diet(r.diet)}`;
    if (r.reservation_status === 'sick') info += ` – ${label.sick}`;
    if (!r.reservation_status) info += ` – ${label.unbooked}`;
    let radios = '';
    for (const st of STATUSES) {
      const checked = r.attendance === st || (st === 'present' && r.attendance === 'present_unbooked');
      radios += `<label><input type="radio" name="status-${id}" value="${st}"${checked ? ' checked' : ''}>${statusLabel[st]}</label>`;
    }
    html +=
      `<li id="child-${id}">${fieldset}` +
      `<legend>${last} ${first}<span class="visually-hidden"> – ${legend(r.first_name)}</span></legend>` +
      `<p>${info}</p>` +
      `<p>${r.pickups ? pickups(r.pickups) : label.noPickup}</p>` +
      `<div class="radios">${radios}</div>` +
      `<output>${r.attendance ? '' : `<span class="print-only">${label.notRecorded}</span>`}</output>` +
      `<button class="button button--small button--secondary" name="child" value="${id}">${label.save}<span class="visually-hidden"> – ${first} ${last}</span></button>` +
      `</fieldset></li>\n`;
  }
  return html;
}
