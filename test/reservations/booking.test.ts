import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' }); // Monday 14 Sept, 10:00 Paris
});
afterAll(async () => ctx?.close());

describe('booking days in the month calendar', () => {
  it('shows an accessible calendar and books the ticked days, reporting what happened', async () => {
    const { browser, service, child } = await enrolledFamily(ctx);
    const page = await browser.get('/reservations?month=2026-09');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<caption>');
    expect(page.text).toContain(`value="${slot(child.id, service.id, '2026-09-17')}"`);
    expect(page.text).toMatch(/réservable/);
    const res = await browser.post('/reservations', { slots: [slot(child.id, service.id, '2026-09-17'), slot(child.id, service.id, '2026-09-18'), slot(child.id, service.id, '2026-09-15')] }, { from: '/reservations?month=2026-09' });
    expect(res.status).toBe(303);
    const result = await browser.get(res.headers.location!);
    expect(result.text).toContain('Réservé');
    expect(result.text).toContain('délai de réservation dépassé');
    expect((await live(ctx, { child_id: child.id })).map((r) => r.day)).toEqual(['2026-09-17', '2026-09-18']);
    const again = await browser.get('/reservations?month=2026-09');
    expect(again.text).toMatch(/réservé, annulable/);
  });
});
