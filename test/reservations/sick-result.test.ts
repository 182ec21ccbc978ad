// The answer to "enfant malade": each day with the last day for its medical certificate, and a
// link to upload it (the vault's form preselected for the child, back to its agenda to attach it).
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, loginAs, type TestContext } from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('the sick-day confirmation', () => {
  it('gives each day its certificate deadline and a link to upload the certificate', async () => {
    const f = await enrolledFamily(ctx, {
      cancel_deadline: { kind: 'calendar_days', days: 1, time: '09:00' },
      sick_declaration_until: '09:00',
    });
    const days = ['2026-09-17', '2026-09-18'];
    for (const day of days)
      await f.browser.post(
        '/reservations',
        { slots: [slot(f.child.id, f.service.id, day)] },
        { from: '/reservations' },
      );
    ctx.clock.set('2026-09-17T06:30:00Z'); // Thursday 08:30 in Paris: too late to cancel the 17th, not to declare it
    const browser = await loginAs(ctx, f.parent); // days later: a new session
    const declared = await browser.post(
      '/reservations/sick',
      { slots: [slot(f.child.id, f.service.id, '2026-09-17')] },
      { from: '/reservations' },
    );
    expect(declared.status).toBe(303);
    expect((await live(ctx, { child_id: f.child.id }))[0]).toMatchObject({
      day: '2026-09-17',
      status: 'sick',
    });

    const $ = cheerio.load((await browser.get('/reservations/result')).text);
    expect($('h1').text()).toBe('Résultat de votre déclaration');
    expect($('main h3 .tag').text()).toBe('Absence pour maladie enregistrée');
    expect($('main li').text()).toBe(
      'jeudi 17 septembre 2026 : certificat médical à déposer au plus tard le jeudi 24 septembre 2026',
    );
    const upload = $('main a').filter((_, a) => $(a).text() === 'Déposer le certificat médical de Léa');
    expect(upload).toHaveLength(1);
    const href = new URL(upload.attr('href')!, 'http://portail.test');
    expect(href.pathname).toBe('/documents');
    expect(href.searchParams.get('type')).toBe('medical_certificate');
    expect(href.searchParams.get('member')).toBe(String(f.child.id));
    expect(href.searchParams.get('return_to')).toBe(`/children/${f.child.id}/agenda?month=2026-09`);

    // The link opens the upload form with the child and the type chosen, and the way back.
    const form = cheerio.load((await browser.get(href.pathname + href.search)).text);
    expect(form('input[name="return_to"]').val()).toBe(`/children/${f.child.id}/agenda?month=2026-09`);
    expect(form('select[name="member_id"] option[selected]').val()).toBe(String(f.child.id));
  });

  it('a day too late to declare gets no certificate link', async () => {
    const f = await enrolledFamily(ctx, {
      cancel_deadline: { kind: 'calendar_days', days: 1, time: '09:00' },
      sick_declaration_until: '09:00',
    });
    ctx.clock.set('2026-09-14T08:00:00Z');
    await f.browser.post(
      '/reservations',
      { slots: [slot(f.child.id, f.service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    ctx.clock.set('2026-09-18T07:01:00Z'); // Friday 09:01 in Paris
    const browser = await loginAs(ctx, f.parent);
    await browser.post(
      '/reservations/sick',
      { slots: [slot(f.child.id, f.service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    const $ = cheerio.load((await browser.get('/reservations/result')).text);
    expect($('main').text()).toContain('Trop tard');
    expect($('main a[href^="/documents"]')).toHaveLength(0);
    expect((await live(ctx, { child_id: f.child.id }))[0]).toMatchObject({ status: 'booked' });
  });
});
