// Rates typed in euros by managers, the parent's "Mettre à jour mes tarifs" request, and staff
// validating the QF from a chosen date (a mid-month change billed from that day).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEuros } from '../../src/billing/schemas.js';
import { createBillingService, applyPayment, displayStatus } from '../../src/billing/service.js';
import { SYSTEM } from '../../src/platform/audit.js';
import { withTransaction } from '../../src/platform/db.js';
import {
  addAttendance,
  addDocument,
  addQf,
  addReservations,
  createAccount,
  createFamily,
  createService,
  ensureBrackets,
  loginAs,
  setRates,
  createTestContext,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-20T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('money typed in euros', () => {
  it('parses exactly, without floats', () => {
    expect(parseEuros('3,45')).toBe(345);
    expect(parseEuros('0,1')).toBe(10);
    expect(parseEuros('1 234,50 €')).toBe(123450);
    expect(parseEuros('12')).toBe(1200);
    expect(parseEuros('4.35')).toBe(435);
    for (const bad of ['', '3,456', '-1', 'abc', '1e3', '3,4,5']) expect(parseEuros(bad)).toBeNull();
  });
});

describe('rates page', () => {
  it('a manager sets the prices of a service; bad input is kept and changes nothing; animators and agents get 403', async () => {
    const service = await createService(ctx.deps, { unit: 'meal' });
    const ids = await ensureBrackets(ctx.deps);
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const path = `/admin/services/${service.id}/rates`;
    const form = (prices: string[], extra: Record<string, string> = {}) => ({
      ...Object.fromEntries(ids.map((id, i) => [`bracket_${id}`, prices[i] ?? ''])),
      out_of_town: '5,20',
      unknown_qf: '',
      late_cancel: '3',
      unbooked_surcharge: '1,50',
      ...extra,
    });
    const bad = await manager.post(path, form(['1,20', '2,5', 'deux', '4,50']));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Il y a un problème');
    expect(bad.text).toContain('value="deux"');
    expect(await ctx.db('service_rate_brackets').where({ service_id: service.id })).toEqual([]);
    expect(await ctx.db('service_rates').where({ service_id: service.id })).toEqual([]);

    const ok = await manager.post(path, form(['1,20', '2,5', '3,80', '4,50']));
    expect(ok.status).toBe(303);
    const prices = await ctx
      .db('service_rate_brackets')
      .where({ service_id: service.id })
      .orderBy('unit_cents')
      .pluck('unit_cents');
    expect(prices).toEqual([120, 250, 380, 450]);
    expect(await ctx.db('service_rates').where({ service_id: service.id }).first()).toMatchObject({
      out_of_town_cents: 520,
      unknown_qf_cents: null,
      late_cancel_cents: 300,
      unbooked_surcharge_cents: 150,
    });
    const page = await manager.get(path);
    expect(page.text).toContain('value="3,80"');
    expect(await ctx.db('audit_events').where({ action: 'billing.rates_saved' }).first()).toBeTruthy();

    for (const role of ['animator', 'agent'] as const) {
      const other = await loginAs(ctx, await createAccount(ctx.deps, { role }));
      expect((await other.get(path)).status).toBe(403);
    }
    expect((await manager.get('/admin/services/999999/rates')).status).toBe(404);
  });
});

describe('quotient familial', () => {
  it('the parent files a rate update, staff validate it from the 15th: the month is billed at both prices', async () => {
    const service = await createService(ctx.deps, { unit: 'meal' });
    await setRates(ctx.deps, service.id, { brackets: [120, 250, 380, 450] });
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Nina' }]);
    const child = household.children[0]!.id;
    await ctx.db('enrolments').insert({
      child_id: child,
      service_id: service.id,
      household_id: household.id,
      school_year_id: '2026-2027',
      status: 'accepted',
      created_at: new Date(),
    });
    await addQf(ctx.deps, household.id, 650, '2026-01-01');
    const doc = await addDocument(ctx.deps, household.id, 'caf_attestation', '2026-09-18T10:00:00Z');
    const browser = await loginAs(ctx, parent);

    const page = await browser.get('/household/rates');
    expect(page.status).toBe(200);
    expect(page.text).toContain('500 – 799');
    expect(page.text.replace(/[\u00a0\u202f]/g, ' ')).toContain('2,50 € / repas');

    // Bad input: nothing filed, values kept.
    const requests = async () =>
      Number(
        (
          await ctx
            .db('requests')
            .where({ household_id: household.id, type: 'rate_update' })
            .count({ n: '*' })
        )[0]!.n,
      );
    const bad = await browser.post('/household/rates', {
      source: 'caf',
      allocataire_number: '12',
      qf: '1300',
      document_id: String(doc),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('numéro d&#39;allocataire');
    expect(bad.text).toContain('value="1300"');
    const wrongDoc = await browser.post('/household/rates', {
      source: 'tax_notice',
      allocataire_number: '',
      qf: '',
      document_id: String(doc),
    });
    expect(wrongDoc.status).toBe(422);
    const otherFamily = await createFamily(ctx.deps, [{}]);
    const foreignDoc = await addDocument(
      ctx.deps,
      otherFamily.household.id,
      'caf_attestation',
      '2026-09-18T10:00:00Z',
    );
    expect(
      (
        await browser.post('/household/rates', {
          source: 'caf',
          allocataire_number: '1234567',
          qf: '1300',
          document_id: String(foreignDoc),
        })
      ).status,
    ).toBe(422);
    expect(await requests()).toBe(0);

    const res = await browser.post('/household/rates', {
      source: 'caf',
      allocataire_number: '1234567',
      qf: '1300',
      document_id: String(doc),
    });
    expect(res.status).toBe(303);
    const request = await ctx
      .db('requests')
      .where({ household_id: household.id, type: 'rate_update' })
      .first();
    expect(request).toMatchObject({
      status: 'submitted',
      data: { source: 'caf', qf: 1300, allocataire_number: '1234567', document_id: doc },
    });
    expect((await browser.get('/household/rates')).text).toContain(request.tracking_code);

    // Staff: agents validate; animators may not; bad dates change nothing.
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    expect((await animator.get(`/admin/billing/qf/${request.id}`)).status).toBe(403);
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    // The generic request page leads to the validation page.
    const requestPage = await agent.get(`/admin/requests/${request.id}`);
    expect(requestPage.text).toContain(`href="/admin/billing/qf/${request.id}"`);
    const staffPage = await agent.get(`/admin/billing/qf/${request.id}`);
    expect(staffPage.status).toBe(200);
    expect(staffPage.text).toContain('value="1300"');
    const badDates = await agent.post(`/admin/billing/qf/${request.id}`, {
      value: '1300',
      valid_from: '2026-09-15',
      valid_to: '2026-09-01',
    });
    expect(badDates.status).toBe(422);
    expect(
      await ctx
        .db('qf_history')
        .where({ household_id: household.id })
        .count({ n: '*' })
        .then((r) => Number(r[0]!.n)),
    ).toBe(1);
    const ok = await agent.post(`/admin/billing/qf/${request.id}`, {
      value: '1300',
      valid_from: '2026-09-15',
      valid_to: '',
    });
    expect(ok.status).toBe(303);
    const history = await ctx
      .db('qf_history')
      .where({ household_id: household.id })
      .orderBy('valid_from')
      .select('value', 'valid_from', 'valid_to', 'request_id');
    expect(history).toEqual([
      { value: 650, valid_from: '2026-01-01', valid_to: '2026-09-14', request_id: null },
      { value: 1300, valid_from: '2026-09-15', valid_to: null, request_id: request.id },
    ]);
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('accepted');

    // Booked and present on the 10th (650 → 2,50 €) and the 16th (1300 → 4,50 €).
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: child,
      householdId: household.id,
      days: ['2026-09-10', '2026-09-16'],
    });
    await addAttendance(ctx.deps, {
      serviceId: service.id,
      childId: child,
      days: ['2026-09-10', '2026-09-16'],
      status: 'present',
    });
    ctx.clock.set('2026-10-01T08:00:00Z');
    await createBillingService(ctx.deps).run('2026-09', SYSTEM);
    const inv = await ctx.db('invoices').where({ household_id: household.id, kind: 'invoice' }).first();
    const lines = await ctx
      .db('invoice_lines')
      .where({ invoice_id: inv.id })
      .orderBy('position')
      .select('quantity', 'unit_cents', 'days');
    expect(lines).toEqual([
      { quantity: 1, unit_cents: 250, days: ['2026-09-10'] },
      { quantity: 1, unit_cents: 450, days: ['2026-09-16'] },
    ]);
    expect(inv.total_cents).toBe(700);

    // The payments feature's hook: a partial then a full payment, with the overpaid part returned.
    await withTransaction(ctx.db, async (tx) =>
      expect(await applyPayment(tx, inv.id, 300)).toMatchObject({
        status: 'partially_paid',
        remainingCents: 400,
        overpaidCents: 0,
      }),
    );
    await withTransaction(ctx.db, async (tx) =>
      expect(await applyPayment(tx, inv.id, 500)).toMatchObject({
        status: 'paid',
        remainingCents: -100,
        overpaidCents: 100,
      }),
    );
    const paid = await ctx.db('invoices').where({ id: inv.id }).first();
    expect(displayStatus(paid, '2027-01-01')).toBe('paid');
    ctx.clock.set('2026-09-20T08:00:00Z');
  });

  it('accepting a rate update without a QF entry is refused (staff must use the validation page)', async () => {
    const { household, parent } = await createFamily(ctx.deps, [{}]);
    const doc = await addDocument(ctx.deps, household.id, 'tax_notice', '2026-09-18T10:00:00Z');
    const request = await createBillingService(ctx.deps).requestRateUpdate(
      household.id,
      { accountId: parent.id, role: 'parent' },
      { source: 'tax_notice', allocataireNumber: '', qf: null, documentId: doc },
    );
    const { createRequestsService } = await import('../../src/requests/service.js');
    await expect(
      createRequestsService(ctx.deps).decide(request.id, 'accepted', SYSTEM, null),
    ).rejects.toThrow('billing.qf.errors.useValidationPage');
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('submitted');
  });
});
