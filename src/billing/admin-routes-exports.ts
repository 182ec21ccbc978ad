// Staff: the accounting exports (a month's invoices and credit notes, the unpaid before a day) as CSV.
import { Router } from 'express';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { previousMonth, today } from '../platform/clock.js';
import { requireManager } from '../web/auth.js';
import { formErrors, noErrors } from '../web/forms.js';
import { getT, type T } from '../web/i18n.js';
import { searchInvoices, type InvoiceRow } from './repository-invoices.js';
import { eurosText, monthSchema, treasurySchema } from './schemas.js';
import { displayStatus, remainingOf } from './service.js';

/** A CSV cell: quoted, and never read as a formula by a spreadsheet. */
function cell(value: unknown): string {
  let s = value == null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}
const csv = (rows: unknown[][]) => '\ufeff' + rows.map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
const euros = (cents: number) => (cents < 0 ? '-' : '') + eurosText(Math.abs(cents));

export function billingExportsAdminRoutes(deps: AppDeps): Router {
  const router = Router();

  function accountingRows(t: T, rows: InvoiceRow[], day: string): unknown[][] {
    return [
      [
        'number',
        'kind',
        'issuedOn',
        'dueOn',
        'month',
        'family',
        'names',
        'total',
        'paid',
        'credited',
        'remaining',
        'status',
        'creditFor',
      ].map((k) => t(`billing.csv.${k}`)),
      ...rows.map((i) => [
        i.number,
        t(`billing.kinds.${i.kind}`),
        DateTime.fromJSDate(i.issued_at, { zone: 'Europe/Paris' }).toISODate(),
        i.due_on,
        i.month,
        i.household_snapshot.familyNumber,
        i.household_snapshot.names.join(', '),
        euros(i.total_cents),
        euros(i.paid_cents),
        euros(i.credited_cents),
        euros(i.kind === 'invoice' ? remainingOf(i) : 0),
        t(`billing.statuses.${displayStatus(i, day)}`),
        (i as InvoiceRow & { credit_for_number?: string | null }).credit_for_number ?? '',
      ]),
    ];
  }

  router.get('/billing/exports', requireManager, (_req, res) => {
    res.render('admin/billing/exports', {
      values: { month: previousMonth(deps.clock), before: today(deps.clock) },
      errors: noErrors(),
    });
  });

  router.get('/billing/exports/accounting.csv', requireManager, async (req, res) => {
    const t = getT();
    const f = monthSchema.safeParse(req.query);
    if (!f.success)
      return res
        .status(400)
        .render('admin/billing/exports', { values: req.query, errors: formErrors(f.error, t) });
    const rows = (await deps
      .db('invoices as i')
      .leftJoin('invoices as o', 'o.id', 'i.credit_for_invoice_id')
      .where('i.month', f.data.month)
      .orderBy([{ column: 'i.kind' }, { column: 'i.number' }])
      .select('i.*', 'o.number as credit_for_number')) as InvoiceRow[];
    res
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="factures-${f.data.month}.csv"`);
    res.send(csv(accountingRows(t, rows, today(deps.clock))));
  });

  router.get('/billing/exports/treasury.csv', requireManager, async (req, res) => {
    const t = getT();
    const f = treasurySchema.safeParse(req.query);
    if (!f.success)
      return res.status(400).render('admin/billing/exports', {
        values: { month: previousMonth(deps.clock), ...req.query },
        errors: formErrors(f.error, t),
      });
    const rows = (await searchInvoices(deps.db, { unpaidDueBefore: f.data.before })
      .select('i.*')
      .orderBy('i.due_on')) as InvoiceRow[];
    const out = [
      [
        'number',
        'issuedOn',
        'dueOn',
        'family',
        'names',
        'address',
        'postcode',
        'city',
        'total',
        'remaining',
      ].map((k) => t(`billing.csv.${k}`)),
      ...rows.map((i) => [
        i.number,
        DateTime.fromJSDate(i.issued_at, { zone: 'Europe/Paris' }).toISODate(),
        i.due_on,
        i.household_snapshot.familyNumber,
        i.household_snapshot.names.join(', '),
        i.household_snapshot.addressLines.join(', '),
        i.household_snapshot.postcode,
        i.household_snapshot.city,
        euros(i.total_cents),
        euros(remainingOf(i)),
      ]),
    ];
    res
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="impayes-avant-${f.data.before}.csv"`);
    res.send(csv(out));
  });

  return router;
}
