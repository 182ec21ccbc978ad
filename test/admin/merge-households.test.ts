// Merging two households (managers): every kind of row moves to the kept household, the other is
// closed with a pointer, audited; refused with a clear message beside the field when both book a
// child on one day, both have an open invoice for one month or both have an open mandate; bad
// input changes nothing; agents and animators get 403; a booking racing the merge is not lost.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAttendance,
  addQf,
  addReservations,
  createAccount,
  createContact,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  createTestContext,
  loginAs,
  type Browser,
  type TestAccount,
  type TestContext,
} from '../support/index.js';
import { createMergeHouseholdsService } from '../../src/admin/merge-households.js';

let ctx: TestContext;
let manager: TestAccount;
let staff: Browser;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  manager = await createAccount(ctx.deps, { role: 'manager' });
  staff = await loginAs(ctx, manager);
});
afterAll(async () => ctx?.close());

const now = () => ctx.clock.now();

/** Every table that holds a household's rows, counted for one household. */
const TABLES = [
  'household_members',
  'household_accounts',
  'household_invitations',
  'activation_codes',
  'documents',
  'enrolments',
  'reservations',
  'attendance',
  'invoices',
  'qf_history',
  'payments',
  'payment_operations',
  'payment_anomalies',
  'refunds',
  'sepa_mandates',
  'requests',
] as const;
async function rowsOf(householdId: number) {
  const out: Record<string, number> = {};
  for (const t of TABLES)
    out[t] = Number(
      ((await ctx.db(t).where({ household_id: householdId }).count({ c: '*' })) as [{ c: number }])[0].c,
    );
  return out;
}

async function insertOne(table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await ctx.db(table).insert(row).returning('id');
  return (r as { id: number }).id;
}

/** A household with one row of every kind (documents, bookings, invoices, payments …). */
async function fullFamily(firstName: string, month: string) {
  const family = await createFamily(ctx.deps, [{ firstName }]);
  const hid = family.household.id;
  const child = family.household.children[0]!;
  const service = await createService(ctx.deps);
  await createContact(ctx.deps, hid, { firstName: 'Mamie' });
  const type = await ctx.db('document_types').first('id');
  await insertOne('documents', {
    household_id: hid,
    member_id: null,
    type_id: type.id,
    status: 'accepted',
    uploaded_at: now(),
  });
  await createEnrolment(ctx.deps, { childId: child.id, serviceId: service.id, householdId: hid });
  await addReservations(ctx.deps, {
    serviceId: service.id,
    childId: child.id,
    householdId: hid,
    days: ['2026-09-17'],
  });
  await addAttendance(ctx.deps, {
    serviceId: service.id,
    childId: child.id,
    days: ['2026-09-08'],
    status: 'present',
    householdId: hid,
  });
  await addQf(ctx.deps, hid, 650, '2026-01-01');
  const invoice = await createInvoice(ctx.deps, { householdId: hid, totalCents: 4200, month });
  const payment = await insertOne('payments', {
    invoice_id: invoice.id,
    household_id: hid,
    method: 'cash',
    amount_cents: 4200,
    received_at: now(),
    recorded_at: now(),
  });
  const op = await insertOne('payment_operations', {
    id_op: `op-${hid}`,
    invoice_id: invoice.id,
    household_id: hid,
    refdet: `R${hid}`,
    amount_cents: 4200,
    payer_email: family.parent.email,
    state: 'failed',
    created_at: now(),
  });
  await insertOne('payment_anomalies', {
    kind: 'amount_mismatch',
    operation_id: op,
    invoice_id: invoice.id,
    household_id: hid,
    created_at: now(),
  });
  await insertOne('refunds', {
    payment_id: payment,
    household_id: hid,
    amount_cents: 100,
    method: 'cash',
    reason: 'trop perçu',
    refunded_on: '2026-09-01',
    recorded_at: now(),
  });
  await insertOne('sepa_mandates', {
    household_id: hid,
    holder: 'X',
    iban: 'FR7630006000011234567890189',
    address: '1 rue',
    consent_at: now(),
    status: 'ended',
    created_at: now(),
  });
  await insertOne('requests', {
    type: 'contact_deletion',
    tracking_code: `M${String(hid).padStart(7, '0')}`,
    household_id: hid,
    status: 'submitted',
    created_at: now(),
    updated_at: now(),
  });
  await insertOne('household_invitations', {
    household_id: hid,
    email: 'autre@example.test',
    token_hash: `hash-${hid}`,
    invited_by: family.parent.id,
    created_at: now(),
    expires_at: new Date('2026-12-01T00:00:00Z'),
  });
  await insertOne('activation_codes', {
    household_id: hid,
    code_hash: `code-${hid}`,
    created_at: now(),
    expires_at: new Date('2026-12-01T00:00:00Z'),
  });
  return { ...family, child, service };
}

const openUrl = (keptId: number) => `/admin/households/${keptId}/merge`;
async function merge(keptId: number, other: string) {
  return staff.post(
    openUrl(keptId),
    { other },
    { from: `${openUrl(keptId)}?other=${encodeURIComponent(other)}` },
  );
}

describe('merging two households', () => {
  it('moves every kind of row to the kept household, closes the other with a pointer, audited', async () => {
    const kept = await fullFamily('Léa', '2026-07');
    const other = await fullFamily('Tom', '2026-08');
    const before = await rowsOf(other.household.id);
    for (const [table, n] of Object.entries(before)) expect(n, table).toBeGreaterThan(0);
    const keptBefore = await rowsOf(kept.household.id);

    const preview = cheerio.load(
      (await staff.get(`${openUrl(kept.household.id)}?other=${other.household.familyNumber}`)).text,
    );
    expect(preview('main').text()).toContain('Tom');
    expect(preview('main').text()).toContain('Léa');
    expect(preview('form[method=post][action$="/merge"] button').text()).toContain(
      `Fusionner ${other.household.familyNumber}`,
    );

    const res = await merge(kept.household.id, other.household.familyNumber);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/households/${kept.household.id}`);

    const after = await rowsOf(other.household.id);
    for (const [table, n] of Object.entries(after)) expect(n, table).toBe(0);
    const keptAfter = await rowsOf(kept.household.id);
    for (const t of TABLES) expect(keptAfter[t], t).toBe(keptBefore[t]! + before[t]!);

    const closed = await ctx.db('households').where({ id: other.household.id }).first();
    expect(closed.merged_into_id).toBe(kept.household.id);
    expect(closed.closed_at).not.toBeNull();
    const audit = await ctx
      .db('audit_events')
      .whereIn('action', ['households.merged', 'households.merged_into'])
      .where({ actor_account_id: manager.id })
      .orderBy('action');
    expect(audit.map((a) => [a.action, Number(a.subject_id)])).toEqual([
      ['households.merged', kept.household.id],
      ['households.merged_into', other.household.id],
    ]);

    // The closed household's page says so and links to the kept one.
    const page = cheerio.load((await staff.get(`/admin/households/${other.household.id}`)).text);
    expect(page('main').text()).toContain(`fusionnée dans la famille ${kept.household.familyNumber}`);
    expect(page(`main a[href="/admin/households/${kept.household.id}"]`)).toHaveLength(1);

    // The other family's parent now reaches the kept household, with both children.
    const parent = await loginAs(ctx, other.parent);
    const home = await parent.get('/household');
    expect(home.text).toContain(kept.household.familyNumber);
    expect(home.text).toContain('Léa');
    expect(home.text).toContain('Tom');

    // A closed household cannot be merged again, nor be the kept one.
    const again = await merge(kept.household.id, other.household.familyNumber);
    expect(again.status).toBe(422);
    expect(cheerio.load(again.text)('#other-error').text()).toContain('déjà fermée');
    expect((await staff.get(openUrl(other.household.id))).status).toBe(404);
  });

  it('a child in alternating custody between the two keeps one link, to the kept household', async () => {
    const kept = await createFamily(ctx.deps, [{ firstName: 'Ana' }]);
    const other = await createFamily(ctx.deps, []);
    const child = kept.household.children[0]!;
    await ctx
      .db('household_members')
      .insert({ household_id: other.household.id, member_id: child.id, linked_at: now() });
    expect((await merge(kept.household.id, other.household.familyNumber)).status).toBe(303);
    expect(await ctx.db('household_members').where({ member_id: child.id }).pluck('household_id')).toEqual([
      kept.household.id,
    ]);
  });
});

describe('refusals', () => {
  async function expectRefused(keptId: number, otherId: number, otherNumber: string, message: string) {
    const before = [await rowsOf(keptId), await rowsOf(otherId)];
    const res = await merge(keptId, otherNumber);
    expect(res.status).toBe(422);
    const $ = cheerio.load(res.text);
    expect($('#other-error').text()).toContain(message);
    expect($('.error-summary').text()).toContain(message);
    expect([await rowsOf(keptId), await rowsOf(otherId)]).toEqual(before);
    expect((await ctx.db('households').where({ id: otherId }).first()).merged_into_id).toBeNull();
    expect(
      await ctx.db('audit_events').where({ action: 'households.merged', subject_id: String(keptId) }),
    ).toHaveLength(0);
  }

  it('both households book the same child on the same day', async () => {
    const kept = await createFamily(ctx.deps, [{ firstName: 'Inès' }]);
    const other = await createFamily(ctx.deps, []);
    const child = kept.household.children[0]!;
    await ctx
      .db('household_members')
      .insert({ household_id: other.household.id, member_id: child.id, linked_at: now() });
    const canteen = await createService(ctx.deps);
    const care = await createService(ctx.deps);
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: child.id,
      householdId: kept.household.id,
      days: ['2026-09-17'],
    });
    await addReservations(ctx.deps, {
      serviceId: care.id,
      childId: child.id,
      householdId: other.household.id,
      days: ['2026-09-17'],
    });
    await expectRefused(
      kept.household.id,
      other.household.id,
      other.household.familyNumber,
      'les deux familles ont une réservation pour le même enfant le même jour (Inès (17 septembre 2026))',
    );
  });

  it('both households have an open invoice for the same month', async () => {
    const kept = await createFamily(ctx.deps, []);
    const other = await createFamily(ctx.deps, []);
    await createInvoice(ctx.deps, { householdId: kept.household.id, totalCents: 1000, month: '2026-09' });
    await createInvoice(ctx.deps, {
      householdId: other.household.id,
      totalCents: 1000,
      month: '2026-09',
      status: 'paid',
      paidCents: 1000,
    });
    await expectRefused(
      kept.household.id,
      other.household.id,
      other.household.familyNumber,
      'les deux familles ont une facture non soldée pour le même mois (septembre 2026)',
    );
  });

  it('both households have a settled invoice for the same month', async () => {
    const kept = await createFamily(ctx.deps, []);
    const other = await createFamily(ctx.deps, []);
    for (const h of [kept, other])
      await createInvoice(ctx.deps, {
        householdId: h.household.id,
        totalCents: 1000,
        month: '2026-07',
        status: 'paid',
        paidCents: 1000,
      });
    await expectRefused(kept.household.id, other.household.id, other.household.familyNumber, 'juillet 2026');
  });

  it('both households have an open direct-debit mandate', async () => {
    const kept = await createFamily(ctx.deps, []);
    const other = await createFamily(ctx.deps, []);
    for (const h of [kept, other])
      await insertOne('sepa_mandates', {
        household_id: h.household.id,
        holder: 'X',
        iban: 'FR7630006000011234567890189',
        address: '1 rue',
        consent_at: now(),
        status: 'active',
        created_at: now(),
      });
    await expectRefused(
      kept.household.id,
      other.household.id,
      other.household.familyNumber,
      'mandat de prélèvement',
    );
  });

  it('bad input: no number, an unknown one, the household itself', async () => {
    const kept = await createFamily(ctx.deps, []);
    const before = await rowsOf(kept.household.id);
    for (const [other, message] of [
      ['', 'Indiquez le numéro de la famille à fusionner.'],
      ['SE-999999', 'Aucune famille avec ce numéro.'],
      [kept.household.familyNumber, "Indiquez le numéro d'une autre famille que celle-ci."],
    ] as const) {
      const res = await staff.post(
        openUrl(kept.household.id),
        { other },
        { from: openUrl(kept.household.id) },
      );
      expect(res.status, other).toBe(422);
      expect(cheerio.load(res.text)('#other-error').text()).toContain(message);
    }
    expect(await rowsOf(kept.household.id)).toEqual(before);
    expect(
      await ctx.db('households').whereNotNull('merged_into_id').where({ merged_into_id: kept.household.id }),
    ).toHaveLength(0);
  });
});

describe('who may merge', () => {
  it('agents and animators get 403 and nothing changes; a parent cannot reach it', async () => {
    const kept = await createFamily(ctx.deps, []);
    const other = await createFamily(ctx.deps, []);
    for (const role of ['agent', 'animator'] as const) {
      const b = await loginAs(ctx, await createAccount(ctx.deps, { role }));
      expect((await b.get(openUrl(kept.household.id))).status, role).toBe(403);
      const res = await b.post(
        openUrl(kept.household.id),
        { other: other.household.familyNumber },
        { from: '/admin' },
      );
      expect(res.status, role).toBe(403);
    }
    const parent = await loginAs(ctx, kept.parent);
    expect((await parent.get(openUrl(kept.household.id))).status).toBe(403);
    expect((await ctx.db('households').where({ id: other.household.id }).first()).merged_into_id).toBeNull();
  });
});

describe('a booking racing the merge', () => {
  const waiting = async () =>
    Number(
      (
        await ctx.db.raw(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
      ).rows[0].n,
    );
  const until = async (n: number) => {
    for (let i = 0; i < 200 && (await waiting()) < n; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await waiting()).toBeGreaterThanOrEqual(n);
  };

  it('a booking made before the merge locked the households moves with them', async () => {
    const kept = await createFamily(ctx.deps, []);
    const other = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    const service = await createService(ctx.deps);
    const booking = await ctx.db.transaction();
    await booking('reservations').insert({
      service_id: service.id,
      child_id: other.household.children[0]!.id,
      household_id: other.household.id,
      day: '2026-09-18',
      status: 'booked',
      created_at: now(),
    });
    const merging = createMergeHouseholdsService(ctx.deps).merge(
      kept.household.id,
      other.household.familyNumber,
      {
        accountId: manager.id,
        role: 'manager',
      },
    );
    await until(1); // the merge waits for the booking
    await booking.commit();
    await merging;
    expect(
      await ctx.db('reservations').where({ child_id: other.household.children[0]!.id }).pluck('household_id'),
    ).toEqual([kept.household.id]);
  });

  it('a booking arriving while the merge runs is refused, never left on the closed household', async () => {
    const kept = await createFamily(ctx.deps, []);
    const other = await createFamily(ctx.deps, [{ firstName: 'Noé' }]);
    const child = other.household.children[0]!;
    const service = await createService(ctx.deps);
    await insertOne('requests', {
      type: 'contact_deletion',
      tracking_code: `Q${String(other.household.id).padStart(7, '0')}`,
      household_id: other.household.id,
      status: 'submitted',
      created_at: now(),
      updated_at: now(),
    });
    // Holding the family's request row pauses the merge after it locked both households.
    const pause = await ctx.db.transaction();
    await pause('requests').where({ household_id: other.household.id }).forUpdate().select('id');
    const merging = createMergeHouseholdsService(ctx.deps).merge(
      kept.household.id,
      other.household.familyNumber,
      {
        accountId: manager.id,
        role: 'manager',
      },
    );
    await until(1);
    const booking = ctx
      .db('reservations')
      .insert({
        service_id: service.id,
        child_id: child.id,
        household_id: other.household.id,
        day: '2026-09-18',
        status: 'booked',
        created_at: now(),
      })
      .then(
        () => 'booked',
        (err: { code?: string }) => err.code,
      );
    await until(2); // the booking waits for the merge
    await pause.commit();
    await merging;
    expect(await booking).toBe('23503'); // refused (foreign key): the parent is told, and books again
    expect(await ctx.db('reservations').where({ household_id: other.household.id })).toHaveLength(0);
    expect((await ctx.db('households').where({ id: other.household.id }).first()).merged_into_id).toBe(
      kept.household.id,
    );
  });
});
