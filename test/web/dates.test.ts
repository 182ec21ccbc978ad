// Issue 21: an impossible date (2026-02-30, 9999-99-99) in a form or a URL gave a 500. Every date
// is now a real calendar day between 1900 and 2100: a form says so beside the field and stores
// nothing, a page reached with one in its address falls back to its default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { enrolledFamily, slot } from '../reservations/helpers.js';
import { isoDate, isRealDay, isRealMonth } from '../../src/web/dates.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const unescape = (html: string) =>
  html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const fieldError = (html: string, field: string) =>
  unescape(new RegExp(`<p class="field__error" id="${field}-error">([\\s\\S]*?)</p>`).exec(html)?.[1] ?? '');
const IMPOSSIBLE = ['2026-02-30', '2026-02-29', '9999-99-99', '2026-13-01', '0000-01-01', '2101-01-01'];

describe('the helpers', () => {
  it('accept real days from 1900 to 2100 only', () => {
    for (const d of ['2024-02-29', '2026-09-14', '1900-01-01', '2100-12-31']) expect(isRealDay(d)).toBe(true);
    for (const d of [
      ...IMPOSSIBLE,
      '1899-12-31',
      '2026-9-14',
      '2026-09-14T00:00',
      ' 2026-09-14',
      '',
      null,
      20260914,
    ])
      expect(isRealDay(d)).toBe(false);
    expect(isRealMonth('2026-09')).toBe(true);
    for (const m of ['2026-13', '2026-00', '9999-12', '2026-9', '2026-09-01'])
      expect(isRealMonth(m)).toBe(false);
    expect(isoDate('x.y').safeParse(' 2026-09-14 ').data).toBe('2026-09-14');
    expect(isoDate('x.y').safeParse('2026-02-30').error?.issues[0]?.message).toBe('x.y');
  });
});

describe('a booking with an impossible day', () => {
  it.each(['2026-02-30', '9999-99-99'])('%s in a slot: 422 with a message, nothing booked', async (day) => {
    const { browser, service, child } = await enrolledFamily(ctx);
    const res = await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-09-21'), slot(child.id, service.id, day)] },
      { from: '/reservations' },
    );
    expect(res.status).toBe(422);
    expect(unescape(res.text)).toContain("Un des jours choisis n'est pas valide.");
    expect(await ctx.db('reservations').where({ child_id: child.id })).toHaveLength(0);
  });

  it('a weekly pattern from an impossible day: 422 beside the field, nothing booked', async () => {
    const { browser, service, child } = await enrolledFamily(ctx);
    const res = await browser.post(
      '/reservations',
      {
        mode: 'pattern',
        children: String(child.id),
        service: String(service.id),
        weekdays: ['1', '2'],
        from: '2026-09-31',
        to: '2026-10-30',
      },
      { from: '/reservations' },
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'from')).toContain('Saisissez une date valide');
    expect(await ctx.db('reservations').where({ child_id: child.id })).toHaveLength(0);
  });

  it('cancelling or declaring sick an impossible day: refused, nothing changed', async () => {
    const { browser, service, child } = await enrolledFamily(ctx);
    for (const path of ['/reservations/cancel', '/reservations/sick']) {
      const res = await browser.post(
        path,
        { slots: slot(child.id, service.id, '2026-02-30') },
        { from: '/reservations' },
      );
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await ctx.db('reservations').where({ child_id: child.id })).toHaveLength(0);
  });
});

describe('an impossible date in a URL', () => {
  it('the parent calendar with ?month=2026-13 or 9999-12 shows the current month', async () => {
    const { browser } = await enrolledFamily(ctx);
    for (const month of ['2026-13', '9999-12', '2026-02-30']) {
      const res = await browser.get(`/reservations?month=${month}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('septembre 2026');
    }
  });

  it('the staff attendance sheet, headcount and week pages fall back to today', async () => {
    const { service } = await enrolledFamily(ctx);
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    for (const day of IMPOSSIBLE) {
      for (const url of [
        `/admin/attendance?service=${service.id}&date=${day}`,
        `/admin/headcount?date=${day}`,
      ]) {
        const res = await agent.get(url);
        expect(res.status, url).toBe(200);
      }
    }
  });

  it('the SEPA export page with an impossible collection date shows no preview; posting it is refused', async () => {
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    expect((await manager.get('/admin/payments/sepa?month=2026-08&collection_date=2026-02-30')).status).toBe(
      200,
    );
    const res = await manager.post(
      '/admin/payments/sepa',
      { month: '2026-08', collection_date: '2026-02-30' },
      { from: '/admin/payments/sepa' },
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'collection_date')).not.toBe('');
    expect(await ctx.db('sepa_exports')).toHaveLength(0);
  });

  it('a desk payment received on an impossible day is refused beside the field', async () => {
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const before = await ctx.db('payments').count({ n: '*' }).first();
    const res = await manager.post(
      '/admin/payments/desk',
      { invoice: '2026-000001', method: 'cash', amount: '10,00', received_on: '2026-02-30', reference: '' },
      { from: '/admin/payments/desk' },
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'received_on')).not.toBe('');
    expect(await ctx.db('payments').count({ n: '*' }).first()).toEqual(before);
  });
});
