// The parent dashboard shows what is in the tables now: every kind of change to what it lists shows
// at the next view, whichever way it was written; each account sees its own name.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDocument,
  addQf,
  addReservations,
  createAccount,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  createTestContext,
  csrfFrom,
  loginAs,
  setRates,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const page = async (browser: Browser) => {
  const res = await browser.get('/');
  expect(res.status).toBe(200);
  return res.text;
};

describe('the dashboard', () => {
  it('shows every kind of change to what it lists at the next view', async () => {
    const { parent, household } = await createFamily(ctx.deps, [
      { firstName: 'Iris' },
      { firstName: 'Paul' },
    ]);
    const [iris, paul] = [household.children[0]!, household.children[1]!];
    const H = household.id;
    const service = await createService(ctx.deps, { name: 'Cantine Jaurès' });
    let browser = await loginAs(ctx, parent);
    expect(await page(browser)).toContain('Iris Testeur');

    const changes: [string, () => Promise<unknown>, string?][] = [
      [
        'a booking',
        () =>
          addReservations(ctx.deps, {
            serviceId: service.id,
            childId: iris.id,
            householdId: H,
            days: ['2026-09-15'],
          }),
        'Cantine Jaurès',
      ],
      [
        'a booking cancelled',
        () =>
          ctx
            .db('reservations')
            .where({ child_id: iris.id, day: '2026-09-15' })
            .update({ status: 'cancelled' }),
      ],
      [
        "a child's class changed",
        () => ctx.db('members').where({ id: paul.id }).update({ class_level: 'CM2' }),
        'CM2',
      ],
      [
        'a school renamed',
        async () => {
          const school = await ctx.db('members').where({ id: paul.id }).first('school_id');
          await ctx.db('schools').where({ id: school.school_id }).update({ name: 'École des Tilleuls' });
        },
        'École des Tilleuls',
      ],
      [
        'a service renamed',
        async () => {
          await addReservations(ctx.deps, {
            serviceId: service.id,
            childId: paul.id,
            householdId: H,
            days: ['2026-09-16'],
          });
          await ctx.db('services').where({ id: service.id }).update({ name: 'Restaurant scolaire Jaurès' });
        },
        'Restaurant scolaire Jaurès',
      ],
      [
        'a document uploaded',
        async () => {
          const doc = await addDocument(ctx.deps, H, 'caf_attestation', '2026-01-10T10:00:00Z');
          await ctx.db('documents').where({ id: doc }).update({ valid_until: '2026-10-01' });
        },
        'valable jusqu&#39;au 1 octobre 2026',
      ],
      [
        'a document type renamed',
        () =>
          ctx
            .db('document_types')
            .where({ code: 'caf_attestation' })
            .update({ name: 'Attestation de quotient' }),
        'Attestation de quotient',
      ],
      [
        'a document refused',
        () => ctx.db('documents').where({ household_id: H }).update({ status: 'rejected' }),
      ],
      [
        'a requirement added',
        async () => {
          const type = (
            await ctx
              .db('document_types')
              .insert({ code: `ins-${H}`, name: 'Attestation d’assurance scolaire', scope: 'child' })
              .returning('id')
          )[0] as { id: number };
          await ctx
            .db('service_requirements')
            .insert({ service_id: service.id, document_type_id: type.id, rule: 'valid_at_start' });
        },
      ],
      [
        'an enrolment',
        () => createEnrolment(ctx.deps, { childId: iris.id, serviceId: service.id, householdId: H }),
        'Attestation d’assurance scolaire – Iris',
      ],
      [
        'an enrolment cancelled',
        () => ctx.db('enrolments').where({ household_id: H }).update({ status: 'cancelled' }),
      ],
      [
        'an invoice issued',
        () =>
          createInvoice(ctx.deps, {
            householdId: H,
            totalCents: 4250,
            number: `K-${H}-1`,
            dueOn: '2026-10-15',
          }),
        `K-${H}-1`,
      ],
      [
        'an invoice paid',
        () => ctx.db('invoices').where({ household_id: H }).update({ status: 'paid', paid_cents: 4250 }),
      ],
      [
        'a request filed by the household',
        () =>
          ctx.db('requests').insert({
            household_id: H,
            account_id: null,
            type: 'contact_deletion',
            tracking_code: 'KEPT2345',
            status: 'submitted',
            summary: 'x',
            created_at: ctx.clock.now(),
            updated_at: ctx.clock.now(),
          }),
        'KEPT2345',
      ],
      [
        'a request filed by the account alone',
        () =>
          ctx.db('requests').insert({
            household_id: null,
            account_id: parent.id,
            type: 'contact_deletion',
            tracking_code: 'KEPT6789',
            status: 'submitted',
            summary: 'x',
            created_at: ctx.clock.now(),
            updated_at: ctx.clock.now(),
          }),
        'KEPT6789',
      ],
      [
        'a request decided',
        () => ctx.db('requests').where({ tracking_code: 'KEPT6789' }).update({ status: 'refused' }),
      ],
      ['a new QF', () => addQf(ctx.deps, H, 650, '2026-01-01')],
      ['a table emptied at once (TRUNCATE)', () => ctx.db.raw('TRUNCATE qf_history')],
      [
        'a child leaving the household',
        () => ctx.db('household_members').where({ household_id: H, member_id: paul.id }).delete(),
      ],
      [
        'the account renamed',
        () => ctx.db('accounts').where({ id: parent.id }).update({ first_name: 'Ondine' }),
        'Bonjour Ondine',
      ],
      [
        'the next day',
        async () => {
          ctx.clock.set('2026-09-15T08:00:00Z');
          browser = await loginAs(ctx, parent); // the session idled out overnight
        },
      ],
    ];
    for (const [what, change, shows] of changes) {
      await change();
      const after = await page(browser);
      expect(after, what).toContain('Iris Testeur');
      if (shows) expect(after, what).toContain(shows);
    }
    const last = await page(browser);
    expect(last).not.toContain('KEPT6789');
    expect(last).not.toContain('Paul');
    expect(last).not.toContain(`K-${H}-1`);
  });

  it("is each account's own, with its own CSRF token", async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Lou' }]);
    const other = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    const second = await createAccount(ctx.deps, { role: 'parent', firstName: 'Marc' });
    await ctx
      .db('household_accounts')
      .insert({ household_id: household.id, account_id: second.id, linked_at: ctx.clock.now() });

    const first = await loginAs(ctx, parent);
    const firstPage = await page(first);
    expect(firstPage).toContain('Bonjour Alex');
    // The same household seen by its other guardian: their name, not the first one's.
    const marc = await page(await loginAs(ctx, second));
    expect(marc).toContain('Bonjour Marc');
    expect(marc).toContain('Lou Testeur');
    // Another household's parent: their own page.
    const otherPage = await page(await loginAs(ctx, other.parent));
    expect(otherPage).toContain('Zoé');
    expect(otherPage).not.toContain('Lou');

    // A second session of the first account: its own token, which logs it out.
    const again = await loginAs(ctx, parent);
    const againPage = await page(again);
    expect(againPage).toContain('Bonjour Alex');
    expect(againPage).toMatch(/<title>Accueil – Portail Famille/);
    expect(csrfFrom(againPage)).not.toBe(csrfFrom(firstPage));
    const out = await again.post('/logout', {}, { csrf: csrfFrom(againPage) });
    expect(out.status).toBe(303);
    expect((await again.get('/')).text).not.toContain('Bonjour Alex');
  });

  it('shows a change made through the portal itself', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Jade' }]);
    const browser = await loginAs(ctx, parent);
    expect(await page(browser)).toContain('Jade Testeur');
    const child = household.children[0]!.id;
    const form = await browser.get(`/household/members/${child}/edit`);
    expect(form.status).toBe(200);
    const school = String((await ctx.db('schools').where({ kind: 'elementary' }).first('id')).id);
    const res = await browser.post(`/household/members/${child}/edit`, {
      kind: 'child',
      first_name: 'Jade',
      last_name: 'Martin',
      birth_date: '2018-05-12',
      sex: 'F',
      school_id: school,
      class_level: 'CE1',
      diet: 'none',
      allergies: '',
      doctor_name: '',
      doctor_phone: '',
    });
    expect(res.status).toBe(303);
    expect(await page(browser)).toContain('Jade Martin');
  });

  it('shows the month estimate computed from the bookings at each view', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Noé' }]);
    const child = household.children[0]!;
    const service = await createService(ctx.deps, {
      kind: 'canteen',
      unit: 'meal',
      billing_basis: 'bookings',
    });
    await setRates(ctx.deps, service.id, { brackets: [450] });
    await addQf(ctx.deps, household.id, 650, '2026-01-01');
    const browser = await loginAs(ctx, parent);
    const estimate = async () =>
      cheerio
        .load(await page(browser))('[aria-labelledby="month-estimate-title"] strong')
        .text()
        .replace(/\s/g, ' ');
    expect(await estimate()).toBe('0,00 €');
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: child.id,
      householdId: household.id,
      days: ['2026-09-15', '2026-09-16'],
    });
    expect(await estimate()).toBe('9,00 €');
    await ctx
      .db('reservations')
      .where({ child_id: child.id, day: '2026-09-16' })
      .update({ status: 'cancelled' });
    expect(await estimate()).toBe('4,50 €');
  });
});
