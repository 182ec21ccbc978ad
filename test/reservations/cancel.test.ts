// Cancelling, the waiting list, the sick child and its certificate, staff cancellations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createService,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';
import { sickCertificateStatus } from '../../src/reservations/certificates.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('waiting list', () => {
  it('a cancellation gives the seat to the first in line, who is emailed', async () => {
    ctx.clock.set('2026-09-14T08:00:00Z');
    const service = await createService(ctx.deps, { capacity: 1 });
    const a = await enrolledFamily(ctx, {}, [{ firstName: 'Ana' }], service);
    const b = await enrolledFamily(ctx, {}, [{ firstName: 'Bob' }], service);
    const c = await enrolledFamily(ctx, {}, [{ firstName: 'Cid' }], service);
    await a.browser.post(
      '/reservations',
      { slots: [slot(a.child.id, service.id, '2026-09-24')] },
      { from: '/reservations' },
    );
    await b.browser.post(
      '/reservations',
      { slots: [slot(b.child.id, service.id, '2026-09-24')], waitlist: '1' },
      { from: '/reservations' },
    );
    ctx.clock.set('2026-09-14T08:01:00Z');
    await c.browser.post(
      '/reservations',
      { slots: [slot(c.child.id, service.id, '2026-09-24')], waitlist: '1' },
      { from: '/reservations' },
    );
    expect((await live(ctx, { child_id: b.child.id }))[0].status).toBe('waiting');
    expect((await b.browser.get('/reservations?month=2026-09')).text).toContain('en liste d&#39;attente');

    await a.browser.post(
      '/reservations/cancel',
      { slots: [slot(a.child.id, service.id, '2026-09-24')] },
      { from: '/reservations' },
    );
    expect(await live(ctx, { child_id: a.child.id })).toEqual([]);
    expect((await live(ctx, { child_id: b.child.id }))[0].status).toBe('booked');
    expect((await live(ctx, { child_id: c.child.id }))[0].status).toBe('waiting');
    expect(
      (await ctx.db('reservation_counters').where({ service_id: service.id, day: '2026-09-24' }).first())
        .booked,
    ).toBe(1);
    await ctx.flushEmails();
    const mail = ctx.smtp.to(b.parent.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('place s');
    expect(ctx.smtp.to(c.parent.email)).toHaveLength(0);
  });
});

describe('sick child', () => {
  async function certificateType() {
    await ctx
      .db('document_types')
      .insert({ code: 'medical_certificate', name: 'Certificat médical', scope: 'child' })
      .onConflict('code')
      .ignore();
    return (await ctx.db('document_types').where({ code: 'medical_certificate' }).first()).id as number;
  }

  async function sickDay(day: string) {
    ctx.clock.set('2026-09-14T08:00:00Z');
    const service = await createService(ctx.deps, {
      cancel_deadline: { kind: 'calendar_days', days: 1, time: '09:00' },
      sick_declaration_until: '09:00',
    });
    const family = await enrolledFamily(ctx, {}, [{ firstName: 'Léa' }], service);
    await family.browser.post(
      '/reservations',
      { slots: [slot(family.child.id, service.id, day)] },
      { from: '/reservations' },
    );
    return { ...family, service };
  }

  it('after the cancellation deadline, a sick child is declared until the morning; later it is too late', async () => {
    const f = await sickDay('2026-09-17');
    ctx.clock.set('2026-09-17T06:30:00Z'); // Thursday 08:30 Paris
    let browser = await loginAs(ctx, f.parent);
    await browser.post(
      '/reservations/cancel',
      { slots: [slot(f.child.id, f.service.id, '2026-09-17')] },
      { from: '/reservations' },
    );
    const refused = (await browser.get('/reservations/result')).text;
    expect(refused).toContain('délai d&#39;annulation dépassé');
    expect(refused).toContain('Déclarer l&#39;enfant malade ces jours');
    await browser.post(
      '/reservations/sick',
      { slots: [slot(f.child.id, f.service.id, '2026-09-17')] },
      { from: '/reservations/result' },
    );
    expect((await browser.get('/reservations/result')).text).toContain('Absence pour maladie enregistrée');
    expect((await live(ctx, { child_id: f.child.id }))[0]).toMatchObject({ status: 'sick' });

    const g = await sickDay('2026-09-18');
    ctx.clock.set('2026-09-18T07:01:00Z'); // Friday 09:01 Paris
    browser = await loginAs(ctx, g.parent);
    await browser.post(
      '/reservations/sick',
      { slots: [slot(g.child.id, g.service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    expect((await browser.get('/reservations/result')).text).toContain('Trop tard');
    expect((await live(ctx, { child_id: g.child.id }))[0]).toMatchObject({ status: 'booked' });
  });

  it('the certificate in time excuses the absence; late or never, it is billed', async () => {
    const typeId = await certificateType();
    const cases = [
      { day: '2026-09-17', uploadedAt: '2026-09-20T10:00:00Z', expected: 'in_time' },
      { day: '2026-09-17', uploadedAt: '2026-09-25T10:00:00Z', expected: 'late' },
      { day: '2026-09-17', uploadedAt: null, expected: 'missing' },
    ];
    for (const c of cases) {
      const f = await sickDay(c.day);
      ctx.clock.set('2026-09-17T06:30:00Z');
      let browser = await loginAs(ctx, f.parent);
      await browser.post(
        '/reservations/sick',
        { slots: [slot(f.child.id, f.service.id, c.day)] },
        { from: '/reservations' },
      );
      const reservation = (await live(ctx, { child_id: f.child.id }))[0];
      expect(await sickCertificateStatus(ctx.db, reservation.id, ctx.clock.now())).toBe('awaiting');
      const agenda = await browser.get(`/children/${f.child.id}/agenda?month=2026-09`);
      expect(agenda.text).toContain(`/documents?type=medical_certificate&amp;member=${f.child.id}`);
      if (c.uploadedAt) {
        ctx.clock.set(c.uploadedAt);
        const [doc] = await ctx
          .db('documents')
          .insert({
            household_id: f.household.id,
            member_id: f.child.id,
            type_id: typeId,
            status: 'pending',
            uploaded_at: new Date(c.uploadedAt),
            uploaded_by: f.parent.id,
          })
          .returning('id');
        browser = await loginAs(ctx, f.parent);
        const res = await browser.post(
          '/reservations/certificate',
          { reservation: String(reservation.id), document: String(doc.id) },
          { from: `/children/${f.child.id}/agenda?month=2026-09` },
        );
        expect(res.status).toBe(303);
      }
      ctx.clock.set('2026-09-30T08:00:00Z');
      expect(await sickCertificateStatus(ctx.db, reservation.id, ctx.clock.now())).toBe(c.expected);
    }
  });

  it("cannot attach another child's document", async () => {
    const typeId = await certificateType();
    const f = await sickDay('2026-09-17');
    ctx.clock.set('2026-09-17T06:30:00Z');
    const browser = await loginAs(ctx, f.parent);
    await browser.post(
      '/reservations/sick',
      { slots: [slot(f.child.id, f.service.id, '2026-09-17')] },
      { from: '/reservations' },
    );
    const other = await enrolledFamily(ctx, {}, [{ firstName: 'Zoé' }], f.service);
    const [doc] = await ctx
      .db('documents')
      .insert({
        household_id: other.household.id,
        member_id: other.child.id,
        type_id: typeId,
        status: 'pending',
        uploaded_at: new Date(),
      })
      .returning('id');
    const reservation = (await live(ctx, { child_id: f.child.id }))[0];
    const res = await browser.post(
      '/reservations/certificate',
      { reservation: String(reservation.id), document: String(doc.id) },
      { from: `/children/${f.child.id}/agenda?month=2026-09` },
    );
    expect(res.status).toBe(422);
    expect(
      (await ctx.db('reservations').where({ id: reservation.id }).first()).sick_certificate_document_id,
    ).toBeNull();
  });
});

describe('staff cancel past the deadline for a family', () => {
  it('as a late (billed) or a free cancellation, each audited', async () => {
    ctx.clock.set('2026-09-14T08:00:00Z');
    const service = await createService(ctx.deps, {
      cancel_deadline: { kind: 'calendar_days', days: 2, time: '10:00' },
    });
    const f = await enrolledFamily(ctx, {}, [{ firstName: 'Léa' }], service);
    await f.browser.post(
      '/reservations',
      { slots: [slot(f.child.id, service.id, '2026-09-17'), slot(f.child.id, service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    ctx.clock.set('2026-09-16T12:00:00Z');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const page = `/admin/reservations/family?household=${f.household.id}&month=2026-09`;
    expect((await agent.get(page)).status).toBe(200);
    let res = await agent.post(
      `/admin/reservations/family/${f.household.id}/cancel`,
      { slots: [slot(f.child.id, service.id, '2026-09-17')], mode: 'late' },
      { from: page },
    );
    expect(res.status).toBe(303);
    res = await agent.post(
      `/admin/reservations/family/${f.household.id}/cancel`,
      { slots: [slot(f.child.id, service.id, '2026-09-18')], mode: 'free', reason: 'Hospitalisation' },
      { from: page },
    );
    const rows = await ctx.db('reservations').where({ child_id: f.child.id }).orderBy('day');
    expect(rows.map((r) => r.status)).toEqual(['late_cancelled', 'cancelled_free']);
    expect(rows[1].cancel_reason).toBe('Hospitalisation');
    const events = await ctx
      .db('audit_events')
      .whereIn('action', ['reservations.late_cancelled', 'reservations.cancelled_free']);
    expect(events).toHaveLength(2);
    // A parent cannot do the same: past the deadline it stays booked.
    expect(
      (
        await agent.post(
          `/admin/reservations/family/${f.household.id}/cancel`,
          { slots: [slot(f.child.id, service.id, '2026-09-17')] },
          { from: page },
        )
      ).status,
    ).toBe(422);
  });
});
