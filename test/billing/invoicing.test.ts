// The monthly invoicing run on known data: each billing rule, QF and rates, custody, idempotence,
// concurrency, a crash mid-run, credit notes, the PDF and who may read what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBillingService } from '../../src/billing/service.js';
import { SYSTEM } from '../../src/platform/audit.js';
import {
  addAttendance,
  addDocument,
  addQf,
  addReservations,
  createAccount,
  createFamily,
  createHousehold,
  createService,
  loginAs,
  setRates,
  createTestContext,
  type TestContext,
} from '../support/index.js';
import { pdfText } from './pdf-text.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-10-02T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const d = (n: number, month = '09') => `2026-${month}-${String(n).padStart(2, '0')}`;
const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

async function invoiceOf(householdId: number, month = '2026-09') {
  const inv = await ctx.db('invoices').where({ household_id: householdId, month, kind: 'invoice' }).first();
  const lines = inv ? await ctx.db('invoice_lines').where({ invoice_id: inv.id }).orderBy('position') : [];
  return { inv, lines };
}

/** One service on bookings, one on attendance, with known prices (cents, brackets low → high). */
async function services() {
  const canteen = await createService(ctx.deps, { kind: 'canteen', unit: 'meal', billing_basis: 'bookings' });
  await setRates(ctx.deps, canteen.id, {
    brackets: [120, 250, 380, 450],
    outOfTown: 520,
    lateCancel: 300,
    surcharge: 150,
  });
  const care = await createService(ctx.deps, {
    kind: 'after_school',
    unit: 'session',
    billing_basis: 'attendance',
  });
  await setRates(ctx.deps, care.id, { brackets: [100, 150, 200, 250], surcharge: 50 });
  return { canteen, care };
}

describe('what is billed, on a month computed by hand', () => {
  it('applies every rule of the bookings and the attendance basis', async () => {
    const { canteen, care } = await services();
    const { household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const h = household.id;
    const lea = household.children[0]!.id;
    await addQf(ctx.deps, h, 650, '2026-01-01'); // bracket 500–799: canteen 2,50 €, care 1,50 €
    const c = { serviceId: canteen.id, childId: lea, householdId: h };
    // Canteen, on bookings.
    await addReservations(ctx.deps, { ...c, days: [d(1), d(3), d(4), d(7), d(8)] });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: lea,
      days: [d(1), d(3)],
      status: 'present',
    }); // 2 × booked
    // d(4): booked, register not taken → booked + anomaly
    await addAttendance(ctx.deps, { serviceId: canteen.id, childId: lea, days: [d(7)], status: 'absent' }); // absent unexcused
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: lea,
      days: [d(8)],
      status: 'absent_excused',
    }); // free
    const inTime = await addDocument(ctx.deps, h, 'medical_certificate', '2026-09-12T09:00:00Z', lea);
    const late = await addDocument(ctx.deps, h, 'medical_certificate', '2026-09-25T09:00:00Z', lea);
    await addReservations(ctx.deps, {
      ...c,
      days: [d(10)],
      status: 'sick',
      sickCertificateDocumentId: inTime,
    }); // excused: free
    await addReservations(ctx.deps, { ...c, days: [d(11)], status: 'sick', sickCertificateDocumentId: late }); // certificate > 7 days: unexcused
    await addReservations(ctx.deps, { ...c, days: [d(14)], status: 'sick' }); // no certificate: unexcused
    await addReservations(ctx.deps, { ...c, days: [d(17)], status: 'late_cancelled' }); // late fee 3,00 €
    await addReservations(ctx.deps, { ...c, days: [d(18)], status: 'cancelled_free' });
    await addReservations(ctx.deps, { ...c, days: [d(21)], status: 'closed_by_town' });
    await addReservations(ctx.deps, { ...c, days: [d(22)], status: 'cancelled' });
    await addReservations(ctx.deps, { ...c, days: [d(25)], status: 'waiting' });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: lea,
      days: [d(24)],
      status: 'present_unbooked',
      householdId: h,
    }); // 2,50 + 1,50
    // After-school care, on attendance.
    const k = { serviceId: care.id, childId: lea, householdId: h };
    await addReservations(ctx.deps, { ...k, days: [d(1), d(3), d(4)] });
    await addAttendance(ctx.deps, {
      serviceId: care.id,
      childId: lea,
      days: [d(1), d(7)],
      status: 'present',
    }); // 2 presences (one unbooked but plain present)
    await addAttendance(ctx.deps, { serviceId: care.id, childId: lea, days: [d(3)], status: 'absent' }); // not billed on attendance
    await addAttendance(ctx.deps, {
      serviceId: care.id,
      childId: lea,
      days: [d(8)],
      status: 'present_unbooked',
      householdId: h,
    }); // 1,50 + 0,50

    const billing = createBillingService(ctx.deps);
    const preview = await billing.preview('2026-09');
    const mine = preview.households.find((x) => x.householdId === h)!;
    expect(mine.anomalies).toEqual([expect.objectContaining({ kind: 'attendance_not_taken', days: [d(4)] })]);

    await billing.run('2026-09', SYSTEM);
    const { inv, lines } = await invoiceOf(h);
    // By hand: canteen booked 3 × 250 + unexcused 3 × 250 + late 300 + unbooked 400 = 2 200;
    // care presences 2 × 150 + unbooked 200 = 500. Total 2 700.
    expect(lines.map((l) => [l.kind, l.quantity, l.unit_cents, l.total_cents, l.days])).toEqual(
      [
        ['booked', 3, 250, 750, [d(1), d(3), d(4)]],
        ['absent_unexcused', 3, 250, 750, [d(7), d(11), d(14)]],
        ['late_cancellation', 1, 300, 300, [d(17)]],
        ['unbooked_presence', 1, 400, 400, [d(24)]],
        ['attendance', 2, 150, 300, [d(1), d(7)]],
        ['unbooked_presence', 1, 200, 200, [d(8)]],
      ].sort(
        (a, b) =>
          lines.findIndex((l) => l.kind === a[0] && l.unit_cents === a[2]) -
          lines.findIndex((l) => l.kind === b[0] && l.unit_cents === b[2]),
      ),
    );
    expect(inv.total_cents).toBe(2700);
    expect(lines.every((l) => l.label.includes('Léa'))).toBe(true);
  });

  it('unknown QF → the default price (highest bracket, or the unknown-QF price when set), flagged', async () => {
    const { canteen } = await services();
    const other = await createService(ctx.deps, { unit: 'meal' });
    await setRates(ctx.deps, other.id, { brackets: [100, 200, 300, 400], unknownQf: 333 });
    const { household } = await createFamily(ctx.deps, [{}]);
    const child = household.children[0]!.id;
    await addQf(ctx.deps, household.id, 300, '2025-09-01', '2026-08-31'); // expired
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: child,
      householdId: household.id,
      days: [d(10)],
    });
    await addReservations(ctx.deps, {
      serviceId: other.id,
      childId: child,
      householdId: household.id,
      days: [d(10)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: child,
      days: [d(10)],
      status: 'present',
    });
    await addAttendance(ctx.deps, { serviceId: other.id, childId: child, days: [d(10)], status: 'present' });
    const billing = createBillingService(ctx.deps);
    const preview = await billing.preview('2026-09');
    expect(
      preview.households.find((x) => x.householdId === household.id)!.anomalies.map((a) => a.kind),
    ).toEqual(['qf_missing']);
    await billing.run('2026-09', SYSTEM);
    const { inv, lines } = await invoiceOf(household.id);
    expect(lines.map((l) => l.unit_cents).sort()).toEqual([333, 450]);
    expect(inv.total_cents).toBe(783);
  });

  it('out of town → the out-of-town rate, whatever the QF', async () => {
    const { canteen } = await services();
    const parent = await createAccount(ctx.deps);
    const household = await createHousehold(ctx.deps, {
      accounts: [parent],
      children: [{}],
      outOfTown: true,
    });
    await addQf(ctx.deps, household.id, 300, '2026-01-01');
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: household.children[0]!.id,
      householdId: household.id,
      days: [d(1), d(3)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: household.children[0]!.id,
      days: [d(1), d(3)],
      status: 'present',
    });
    await createBillingService(ctx.deps).run('2026-09', SYSTEM);
    const { inv, lines } = await invoiceOf(household.id);
    expect(lines.map((l) => [l.quantity, l.unit_cents])).toEqual([[2, 520]]);
    expect(inv.total_cents).toBe(1040);
  });

  it('alternating custody: each household pays the days it booked', async () => {
    const { canteen } = await services();
    const a = await createFamily(ctx.deps, [{ firstName: 'Tom' }]);
    const b = await createFamily(ctx.deps, []);
    const tom = a.household.children[0]!.id;
    await ctx
      .db('household_members')
      .insert({ household_id: b.household.id, member_id: tom, custody_weeks: 'even', linked_at: new Date() });
    await addQf(ctx.deps, a.household.id, 1500, '2026-01-01'); // 4,50 €
    await addQf(ctx.deps, b.household.id, 100, '2026-01-01'); // 1,20 €
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: tom,
      householdId: a.household.id,
      days: [d(1), d(3)],
    });
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: tom,
      householdId: b.household.id,
      days: [d(8), d(10), d(11)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: tom,
      days: [d(1), d(3), d(8), d(10), d(11)],
      status: 'present',
    });
    // An unbooked presence staff attributed to B.
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: tom,
      days: [d(15)],
      status: 'present_unbooked',
      householdId: b.household.id,
    });
    await createBillingService(ctx.deps).run('2026-09', SYSTEM);
    const ia = await invoiceOf(a.household.id);
    const ib = await invoiceOf(b.household.id);
    expect(ia.lines.map((l) => [l.kind, l.days])).toEqual([['booked', [d(1), d(3)]]]);
    expect(ia.inv.total_cents).toBe(900);
    expect(ib.lines.map((l) => [l.kind, l.days])).toEqual([
      ['booked', [d(8), d(10), d(11)]],
      ['unbooked_presence', [d(15)]],
    ]);
    expect(ib.inv.total_cents).toBe(3 * 120 + 120 + 150);
  });
});

describe('the run', () => {
  async function households(n: number, month = '10') {
    const { canteen } = await services();
    const out = [];
    for (let i = 0; i < n; i++) {
      const { household, parent } = await createFamily(ctx.deps, [{}]);
      await addQf(ctx.deps, household.id, 900, '2026-01-01');
      await addReservations(ctx.deps, {
        serviceId: canteen.id,
        childId: household.children[0]!.id,
        householdId: household.id,
        days: [d(1 + i, month)],
      });
      await addAttendance(ctx.deps, {
        serviceId: canteen.id,
        childId: household.children[0]!.id,
        days: [d(1 + i, month)],
        status: 'present',
      });
      out.push({ household, parent });
    }
    return out;
  }
  const counter = async () =>
    ((await ctx.db('invoice_counters').where({ year: 2026, kind: 'invoice' }).first())?.last_number as
      number | undefined) ?? 0;
  const numbersOf = async (month: string) =>
    (await ctx
      .db('invoices')
      .where({ month, kind: 'invoice' })
      .orderBy('number')
      .pluck('number')) as string[];
  const seq = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => `2026-${String(from + i).padStart(6, '0')}`);

  it('two runs at once issue each invoice once, with gapless numbers; a rerun issues nothing', async () => {
    ctx.clock.set('2026-11-03T08:00:00Z');
    await households(6, '10');
    const before = await counter();
    const billing = createBillingService(ctx.deps);
    const [r1, r2] = await Promise.all([billing.run('2026-10', SYSTEM), billing.run('2026-10', SYSTEM)]);
    expect(r1.created + r2.created).toBe(6);
    expect(await numbersOf('2026-10')).toEqual(seq(before + 1, 6));
    expect(await counter()).toBe(before + 6);
    const again = await billing.run('2026-10', SYSTEM);
    expect(again).toMatchObject({ created: 0, skipped: 6 });
    expect(await counter()).toBe(before + 6);
    expect(await ctx.db('locked_months').where({ month: '2026-10' }).first()).toBeTruthy();
  });

  it('a crash after some households leaves no half invoice, and the rerun completes the month', async () => {
    ctx.clock.set('2026-12-02T08:00:00Z');
    await households(4, '11');
    const before = await counter();
    // Batches of 2: the first commits, the second fails after inserting its invoices and lines (an
    // "invoices issued" hook of another feature that throws, in the batch's transaction).
    let batches = 0;
    const crashing = {
      ...ctx.deps.hooks,
      invoicesIssued: [
        ...ctx.deps.hooks.invoicesIssued,
        async () => {
          if (++batches === 2) throw new Error('injected failure');
        },
      ],
    };
    await expect(
      createBillingService({ ...ctx.deps, hooks: crashing }).run('2026-11', SYSTEM, { batchSize: 2 }),
    ).rejects.toThrow('injected failure');
    const billing = createBillingService(ctx.deps);
    expect(await numbersOf('2026-11')).toEqual(seq(before + 1, 2));
    expect(await counter()).toBe(before + 2);
    // No line without its invoice, no invoice without lines or PDF.
    const orphans = await ctx
      .db('invoices as i')
      .where('i.month', '2026-11')
      .whereNotExists(ctx.db('invoice_lines as l').whereRaw('l.invoice_id = i.id'))
      .count({ n: '*' });
    expect(Number(orphans[0]!.n)).toBe(0);
    expect(
      await ctx
        .db('invoices')
        .where({ month: '2026-11' })
        .whereNull('pdf_storage_key')
        .count({ n: '*' })
        .then((r) => Number(r[0]!.n)),
    ).toBe(0);
    const result = await billing.run('2026-11', SYSTEM);
    expect(result).toMatchObject({ created: 2, skipped: 2 });
    expect(await numbersOf('2026-11')).toEqual(seq(before + 1, 4));
  });

  it('a PDF a stopped run left undrawn is drawn once: on demand from the issued invoice, or by the rerun', async () => {
    ctx.clock.set('2026-09-02T08:00:00Z');
    const [a] = await households(2, '08');
    const billing = createBillingService(ctx.deps);
    await billing.run('2026-08', SYSTEM);
    // As if the process had died between a batch's commit and the drawing of its PDFs.
    await ctx.db('invoices').where({ month: '2026-08' }).update({ pdf_storage_key: null });
    const { inv } = await invoiceOf(a!.household.id, '2026-08');
    const [first, second] = await Promise.all([billing.pdfOf(inv), billing.pdfOf(inv)]);
    expect(await pdfText(first)).toContain(`Facture ${inv.number}`);
    expect(second.equals(first)).toBe(true); // two readers at once: one drawing is kept
    const key = (await ctx.db('invoices').where({ id: inv.id }).first()).pdf_storage_key as string;
    expect(key).toBeTruthy();
    expect(await billing.run('2026-08', SYSTEM)).toMatchObject({ created: 0, skipped: 2 });
    expect(
      await ctx
        .db('invoices')
        .where({ month: '2026-08' })
        .whereNull('pdf_storage_key')
        .count({ n: '*' })
        .then((r) => Number(r[0]!.n)),
    ).toBe(0);
    expect((await ctx.db('invoices').where({ id: inv.id }).first()).pdf_storage_key).toBe(key);
  });

  it('paperless households get one email with a link, the others are printed in postcode order', async () => {
    ctx.clock.set('2027-01-04T08:00:00Z');
    const [paperless, paper] = await households(2, '12');
    await ctx.db('households').where({ id: paper!.household.id }).update({ paperless: false });
    const billing = createBillingService(ctx.deps);
    await billing.run('2026-12', SYSTEM);
    await billing.run('2026-12', SYSTEM);
    await ctx.flushEmails();
    const mails = ctx.smtp.to(paperless!.parent.email);
    expect(mails).toHaveLength(1);
    const { inv } = await invoiceOf(paperless!.household.id, '2026-12');
    expect(inv.number).toBe('2027-000001'); // numbering restarts each calendar year
    expect(inv.due_on).toBe('2027-02-15');
    expect(mails[0]!.text).toContain(`http://portail.test/invoices/${inv.id}`);
    expect(ctx.smtp.to(paper!.parent.email)).toHaveLength(0);
    const batch = await billing.paperBatch('2026-12');
    expect(batch.count).toBe(1);
    const printed = { text: await pdfText(batch.pdf) };
    expect(printed.text).toContain((await invoiceOf(paper!.household.id, '2026-12')).inv.number);
  });
});

describe('the invoice document and who may read it', () => {
  it('the parent reads their invoice and its PDF (number and total); another household gets 404; animators 403', async () => {
    ctx.clock.set('2026-10-02T08:00:00Z');
    const { canteen } = await services();
    const { household, parent } = await createFamily(ctx.deps, [{ firstName: 'Éloïse' }]);
    await addQf(ctx.deps, household.id, 1000, '2026-01-01');
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: household.children[0]!.id,
      householdId: household.id,
      days: [d(1), d(3), d(4)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: household.children[0]!.id,
      days: [d(1), d(3), d(4)],
      status: 'present',
    });
    await createBillingService(ctx.deps).run('2026-09', SYSTEM);
    const { inv } = await invoiceOf(household.id);
    expect(inv.total_cents).toBe(1140);

    const browser = await loginAs(ctx, parent);
    const list = await browser.get('/invoices');
    expect(list.status).toBe(200);
    expect(list.text).toContain(inv.number);
    expect(list.text).toContain('à payer');
    const page = await browser.get(`/invoices/${inv.id}`);
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain('11,40 €');
    expect(page.text).toContain('Éloïse');
    const pdf = await browser.agent
      .get(`/invoices/${inv.id}/pdf`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const parsed = { text: await pdfText(pdf.body as Buffer) };
    expect(parsed.text).toContain(`Facture ${inv.number}`);
    expect(text(parsed.text)).toContain('11,40 €');
    expect(parsed.text).toContain('Éloïse');
    expect(parsed.text).toContain('TVA non applicable, article 256 B du CGI');
    expect(parsed.text).toContain('L.252 A du Livre des procédures fiscales');

    const other = await createFamily(ctx.deps, [{}]);
    const intruder = await loginAs(ctx, other.parent);
    expect((await intruder.get(`/invoices/${inv.id}`)).status).toBe(404);
    expect((await intruder.get(`/invoices/${inv.id}/pdf`)).status).toBe(404);
    expect((await intruder.get(`/invoices/abc`)).status).toBe(404);

    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    for (const path of [
      '/admin/billing',
      '/admin/invoices',
      `/admin/invoices/${inv.id}`,
      `/admin/invoices/${inv.id}/pdf`,
      '/admin/billing/overdue',
      `/admin/services/${canteen.id}/rates`,
    ]) {
      expect((await animator.get(path)).status, path).toBe(403);
    }
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get('/admin/billing')).status).toBe(403);

    // Overdue once the due date has passed.
    ctx.clock.set('2026-11-20T08:00:00Z');
    expect((await (await loginAs(ctx, parent)).get('/invoices')).text).toContain('en retard');
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    expect((await manager.get('/admin/billing/overdue')).text).toContain(inv.number);
    const csv = await manager.get('/admin/billing/exports/treasury.csv?before=2026-11-20');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(inv.number);
    expect((await manager.get('/admin/billing/exports/treasury.csv?before=2026-11-01')).text).not.toContain(
      inv.number,
    );
    expect((await manager.get('/admin/billing/exports/treasury.csv?before=nope')).status).toBe(400);
    const accounting = await manager.get('/admin/billing/exports/accounting.csv?month=2026-09');
    expect(accounting.text).toContain(`"${inv.number}";"Facture"`);
    expect((await manager.get(`/admin/invoices?q=${household.familyNumber}`)).text).toContain(inv.number);
    expect((await manager.get(`/admin/billing/households/${household.id}`)).text).toContain(inv.number);
  });

  it('a credit note has its own gapless series, references the invoice and reduces what is due; bad input changes nothing', async () => {
    ctx.clock.set('2026-10-02T08:00:00Z');
    const { canteen } = await services();
    const { household } = await createFamily(ctx.deps, [{}]);
    await addQf(ctx.deps, household.id, 1000, '2026-01-01');
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: household.children[0]!.id,
      householdId: household.id,
      days: [d(1), d(3)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: household.children[0]!.id,
      days: [d(1), d(3)],
      status: 'present',
    });
    await createBillingService(ctx.deps).run('2026-09', SYSTEM);
    const { inv } = await invoiceOf(household.id);
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const count = async () =>
      Number((await ctx.db('invoices').where({ kind: 'credit_note' }).count({ n: '*' }))[0]!.n);
    const before = await count();

    for (const bad of [
      { amount: '1,234', reason: 'x' },
      { amount: '10', reason: '' },
      { amount: '99,00', reason: 'trop' },
    ]) {
      const res = await manager.post(`/admin/invoices/${inv.id}/credit-notes`, bad, {
        from: `/admin/invoices/${inv.id}`,
      });
      expect([400, 422]).toContain(res.status);
      expect(res.text).toContain('Il y a un problème');
      expect(res.text).toContain(`value="${bad.reason}"`);
    }
    expect(await count()).toBe(before);

    const res = await manager.post(
      `/admin/invoices/${inv.id}/credit-notes`,
      { amount: '3,80', reason: 'Sortie scolaire le 3 septembre' },
      { from: `/admin/invoices/${inv.id}` },
    );
    expect(res.status).toBe(303);
    const credit = await ctx.db('invoices').where({ credit_for_invoice_id: inv.id }).first();
    expect(credit).toMatchObject({ kind: 'credit_note', total_cents: 380, household_id: household.id });
    expect(credit.number).toMatch(/^AV-2026-\d{6}$/);
    const after = await ctx.db('invoices').where({ id: inv.id }).first();
    expect(after).toMatchObject({
      total_cents: 760,
      credited_cents: 380,
      pdf_storage_key: inv.pdf_storage_key,
    });
    const second = await createBillingService(ctx.deps).createCreditNote(inv.id, 100, 'autre', SYSTEM);
    expect(Number(second.number.slice(-6))).toBe(Number(credit.number.slice(-6)) + 1);
    const pdf = { text: await pdfText(await ctx.deps.storage.get(credit.pdf_storage_key)) };
    expect(pdf.text).toContain(`Avoir ${credit.number}`);
    expect(pdf.text).toContain(inv.number);
    const page = await manager.get(`/admin/invoices/${inv.id}`);
    expect(text(page.text)).toContain('2,80 €'); // 7,60 − 3,80 − 1,00
  });
});
