import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Browser,
  createAccount,
  createContact,
  createFamily,
  createHousehold,
  createTestContext,
  householdForm,
  loginAs,
  type TestContext,
} from '../support/index.js';
import { DEMO_CARD } from '../../seeds/030-households.js';

let ctx: TestContext;
const START = '2026-09-14T08:00:00Z';
beforeAll(async () => {
  ctx = await createTestContext({ now: START, demo: true });
});
afterAll(async () => ctx?.close());

let deskCount = 0;
/** An agent creates a household at the desk; returns its id, number and the code printed on the letter. */
async function deskHousehold(lastName = 'Guichet') {
  const agent = await createAccount(ctx.deps, { role: 'agent' });
  const staff = await loginAs(ctx, agent);
  const res = await staff.post('/admin/households/new', {
    guardian_first_name: 'Rose',
    guardian_last_name: lastName,
    // A new family each time (the same email, phone or guardian at one address would be shown as
    // a possible duplicate).
    ...(await householdForm(ctx.deps, {
      email: `rose-${++deskCount}@example.test`,
      phone_mobile: `06 40 00 00 ${String(deskCount).padStart(2, '0')}`,
      house_number: String(100 + deskCount),
    })),
  });
  expect(res.status).toBe(303);
  const letter = await staff.get(res.headers.location!);
  expect(letter.status).toBe(200);
  expect(letter.text).toContain('class="letter"');
  const number = letter.text.match(/SE-\d{6}/)![0];
  const code = letter.text.match(/<strong class="letter__code">([A-Z0-9]{12})<\/strong>/)![1]!;
  const h = await ctx.db('households').where({ family_number: number }).first();
  return { id: h.id as number, number, code, staff, agent };
}

describe('activation codes', () => {
  it('the code is random, 12 characters without ambiguous ones, stored hashed, valid 90 days', async () => {
    const { id, code } = await deskHousehold();
    expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{12}$/);
    const row = await ctx.db('activation_codes').where({ household_id: id }).first();
    expect(row.code_hash).not.toContain(code);
    expect(new Date(row.expires_at).getTime() - new Date(START).getTime()).toBe(90 * 86400_000);
    // The plain code is not shown again to someone else (another agent's session).
    const other = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const letter = await other.get(`/admin/households/${id}/letter`);
    expect(letter.text).not.toContain(code);
  });

  it('a new parent account links with the right code (single use)', async () => {
    const { id, number, code } = await deskHousehold();
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const res = await browser.post('/activate', {
      family_number: number.toLowerCase(),
      activation_code: code.toLowerCase(),
    });
    expect(res.status).toBe(303);
    expect(
      await ctx.db('household_accounts').where({ household_id: id, account_id: parent.id }).first(),
    ).toBeTruthy();
    // The desk guardian is now this account's member.
    expect(
      await ctx.db('members').where({ account_id: parent.id, last_name: 'Guichet' }).first(),
    ).toBeTruthy();
    const second = await createAccount(ctx.deps);
    const other = await loginAs(ctx, second);
    const again = await other.post('/activate', { family_number: number, activation_code: code });
    expect(again.status).toBe(422);
    expect(await ctx.db('household_accounts').where({ account_id: second.id }).first()).toBeUndefined();
  });

  it('a wrong code and an unknown number get the same answer; five wrong tries lock the code', async () => {
    const { id, number, code } = await deskHousehold();
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const unknown = await browser.post('/activate', {
      family_number: 'SE-999999',
      activation_code: 'AAAAAAAAAAAA',
    });
    const wrong = await browser.post('/activate', { family_number: number, activation_code: 'AAAAAAAAAAAA' });
    expect(unknown.status).toBe(422);
    expect(wrong.status).toBe(422);
    const message = 'Le numéro de famille ou le code d&#39;activation est incorrect.';
    expect(unknown.text).toContain(message);
    expect(wrong.text).toContain(message);
    for (let i = 0; i < 4; i++)
      await browser.post('/activate', { family_number: number, activation_code: 'BBBBBBBBBBBB' });
    const row = await ctx.db('activation_codes').where({ household_id: id }).first();
    expect(row.failed_attempts).toBe(5);
    expect(row.locked_at).not.toBeNull();
    const locked = await browser.post('/activate', { family_number: number, activation_code: code });
    expect(locked.status).toBe(422);
    expect(locked.text).toContain('bloqué après 5 essais');
    expect(await ctx.db('household_accounts').where({ account_id: parent.id }).first()).toBeUndefined();
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'households.activation_locked', subject_id: String(id) })
        .first(),
    ).toBeTruthy();
  });

  it('staff issue a new code: the old one stops working, the new one works', async () => {
    const { id, number, code, staff } = await deskHousehold();
    const res = await staff.post(
      `/admin/households/${id}/activation-code`,
      {},
      { from: `/admin/households/${id}` },
    );
    expect(res.status).toBe(303);
    const letter = await staff.get(`/admin/households/${id}/letter`);
    const fresh = letter.text.match(/<strong class="letter__code">([A-Z0-9]{12})<\/strong>/)![1]!;
    expect(fresh).not.toBe(code);
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    expect((await browser.post('/activate', { family_number: number, activation_code: code })).status).toBe(
      422,
    );
    expect((await browser.post('/activate', { family_number: number, activation_code: fresh })).status).toBe(
      303,
    );
  });

  it('an expired code is refused', async () => {
    const { number, code } = await deskHousehold();
    ctx.clock.set('2026-12-14T08:00:00Z'); // 91 days later
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    const res = await browser.post('/activate', { family_number: number, activation_code: code });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Ce code d&#39;activation a expiré.');
    ctx.clock.set(START);
  });

  it('empty fields get errors', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    const res = await browser.post('/activate', { family_number: '', activation_code: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Indiquez le numéro de famille.');
    expect(res.text).toContain('Indiquez le code d&#39;activation.');
  });

  it('the demo card of the seed activates with its printed code', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    const res = await browser.post('/activate', {
      family_number: DEMO_CARD.familyNumber,
      activation_code: DEMO_CARD.activationCode,
    });
    expect(res.status).toBe(303);
    const page = await browser.get('/household');
    expect(page.text).toContain('Inès');
  });
});

describe('lost activation code', () => {
  const strip = (html: string) =>
    html
      .replace(/name="_csrf" value="[^"]+"/g, '')
      .replace(/<strong class="panel__code">[A-Z0-9]+<\/strong>/, '');

  it('gives the same answer for a known and an unknown number, and files a request each time', async () => {
    const { household } = await createFamily(ctx.deps, [{ birthDate: '2018-05-12' }]);
    const known = new Browser(ctx.app);
    const r1 = await known.post('/activate/lost-code', {
      family_number: household.familyNumber,
      proof: 'birth_date',
      child_birth_date: '2018-05-12',
      contact_email: 'a@example.test',
    });
    const unknown = new Browser(ctx.app);
    const r2 = await unknown.post('/activate/lost-code', {
      family_number: 'SE-999998',
      proof: 'postcode',
      postcode: '49999',
      contact_email: 'b@example.test',
    });
    expect(r1.status).toBe(303);
    expect(r2.status).toBe(303);
    expect(r1.headers.location).toBe(r2.headers.location);
    const p1 = await known.get(r1.headers.location!);
    const p2 = await unknown.get(r2.headers.location!);
    expect(strip(p1.text)).toBe(strip(p2.text));
    const rows = await ctx
      .db('requests')
      .where({ type: 'lost_activation_code' })
      .orderBy('id', 'desc')
      .limit(2);
    expect(rows[1]).toMatchObject({ household_id: household.id });
    expect(rows[1].data.matched).toBe(true);
    expect(rows[0]).toMatchObject({ household_id: null });
    await ctx.flushEmails();
    expect(ctx.smtp.to('a@example.test')).toHaveLength(1);
    expect(ctx.smtp.to('b@example.test')).toHaveLength(1);
    expect(ctx.smtp.to('a@example.test')[0]!.subject).toBe(
      ctx.smtp
        .to('b@example.test')[0]!
        .subject.replace(/[A-Z0-9]{8}/, ctx.smtp.to('a@example.test')[0]!.subject.match(/[A-Z0-9]{8}/)![0]),
    );
  });

  it('validates the form', async () => {
    const browser = new Browser(ctx.app);
    const before = await ctx.db('requests').count({ n: '*' }).first();
    const res = await browser.post('/activate/lost-code', {
      family_number: '',
      proof: 'postcode',
      postcode: '12',
      contact_email: '',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Indiquez le numéro de famille.');
    expect(res.text).toContain('Le code postal doit comporter 5 chiffres.');
    expect(res.text).toContain('Indiquez une adresse électronique.');
    expect(await ctx.db('requests').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('invitation of a second guardian', () => {
  it('is emailed, valid 7 days, accepted once', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Jade' }]);
    const browser = await loginAs(ctx, parent);
    const res = await browser.post('/household/invite', { email: 'second.parent@example.test' });
    expect(res.status).toBe(303);
    const inv = await ctx.db('household_invitations').where({ household_id: household.id }).first();
    await ctx.flushEmails();
    const mail = ctx.smtp.to('second.parent@example.test');
    expect(mail).toHaveLength(1);
    const link = mail[0]!.text.match(/http:\/\/portail\.test(\/household\/invitations\/[\w-]+)/)![1]!;
    expect(inv.token_hash).not.toContain(link.split('/').pop());

    const second = await createAccount(ctx.deps, { email: 'second.parent@example.test' });
    const b2 = await loginAs(ctx, second);
    expect((await b2.get(link)).text).toContain(household.familyNumber);
    const accept = await b2.post(link);
    expect(accept.status).toBe(303);
    expect((await b2.get('/household')).text).toContain('Jade');

    const third = await createAccount(ctx.deps);
    const b3 = await loginAs(ctx, third);
    const again = await b3.post(link);
    expect(again.status).toBe(422);
    expect(again.text).toContain('Cette invitation a déjà été utilisée.');
    expect(await ctx.db('household_accounts').where({ account_id: third.id }).first()).toBeUndefined();
  });

  it('expires after 7 days', async () => {
    const { parent } = await createFamily(ctx.deps);
    const browser = await loginAs(ctx, parent);
    await browser.post('/household/invite', { email: 'late@example.test' });
    await ctx.flushEmails();
    const link = ctx.smtp
      .to('late@example.test')[0]!
      .text.match(/http:\/\/portail\.test(\/household\/invitations\/[\w-]+)/)![1]!;
    ctx.clock.set('2026-09-21T08:00:01Z');
    const late = await createAccount(ctx.deps, { email: 'late@example.test' });
    const b = await loginAs(ctx, late);
    const res = await b.post(link);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Cette invitation a expiré.');
    expect(await ctx.db('household_accounts').where({ account_id: late.id }).first()).toBeUndefined();
    ctx.clock.set(START);
  });

  it('a bad email is refused and nothing is sent', async () => {
    const { parent, household } = await createFamily(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const res = await browser.post('/household/invite', { email: 'pas-un-courriel' });
    expect(res.status).toBe(422);
    expect(
      await ctx.db('household_invitations').where({ household_id: household.id }).first(),
    ).toBeUndefined();
  });
});

describe('alternating custody', () => {
  it('both households see the shared child and nothing of each other', async () => {
    const a = await createFamily(ctx.deps, [{ firstName: 'Milo' }]);
    const bParent = await createAccount(ctx.deps);
    const b = await createHousehold(ctx.deps, { accounts: [bParent], outOfTown: true, children: [] });
    await ctx.db('households').where({ id: b.id }).update({ address_line: '9 quai Secret' });
    const contactA = await (
      await import('../support/index.js')
    ).createContact(ctx.deps, a.household.id, { firstName: 'Gertrude' });
    void contactA;
    const childId = a.household.children[0]!.id;

    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const bad = await staff.post(`/admin/households/${a.household.id}/children/${childId}/custody`, {
      family_number: 'SE-999997',
      weeks: 'odd',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Aucune famille ne porte ce numéro.');
    const res = await staff.post(`/admin/households/${a.household.id}/children/${childId}/custody`, {
      family_number: b.familyNumber,
      weeks: 'odd',
    });
    expect(res.status).toBe(303);
    const links = await ctx.db('household_members').where({ member_id: childId }).orderBy('custody_weeks');
    expect(links.map((l) => [l.household_id, l.custody_weeks])).toEqual([
      [b.id, 'even'],
      [a.household.id, 'odd'],
    ]);

    const aBrowser = await loginAs(ctx, a.parent);
    const bBrowser = await loginAs(ctx, bParent);
    expect((await bBrowser.get(`/children/${childId}`)).status).toBe(200);
    expect((await aBrowser.get(`/children/${childId}`)).status).toBe(200);
    const bHome = await bBrowser.get('/household');
    expect(bHome.text).toContain('Milo');
    expect(bHome.text).not.toContain('Gertrude');
    expect(bHome.text).not.toContain(a.household.familyNumber);
    const aHome = await aBrowser.get('/household');
    expect(aHome.text).not.toContain('quai Secret');
    expect(aHome.text).not.toContain(b.familyNumber);
    const bExport = (await bBrowser.get('/household/export')).body;
    expect(JSON.stringify(bExport)).not.toContain('Gertrude');
  });
});

describe('staff search', () => {
  it('finds "Éloïse" from "eloise", and by number, email and phone', async () => {
    const { household } = await createFamily(ctx.deps, [{ firstName: 'Éloïse', lastName: 'Lefèvre' }]);
    await ctx
      .db('households')
      .where({ id: household.id })
      .update({ phone_mobile: '06 77 88 99 00', email: 'lefevre.famille@example.test' });
    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    for (const q of [
      'eloise',
      'ELOISE lefevre',
      'lefevre',
      household.familyNumber,
      'lefevre.famille@',
      '0677889900',
    ]) {
      const res = await staff.get(`/admin/households?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.text, q).toContain(`/admin/households/${household.id}"`);
    }
    const none = await staff.get('/admin/households?q=zzzzzz');
    expect(none.text).toContain('0 famille');
    const page = await staff.get(`/admin/households/${household.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Historique');
  });

  it('pages the results with their total, finds an account email and ignores deleted members', async () => {
    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const ids: number[] = [];
    for (let i = 0; i < 27; i++)
      ids.push(
        (await createHousehold(ctx.deps, { children: [{ firstName: 'Zéphyrine', lastName: 'Paginée' }] })).id,
      );
    const first = await staff.get(`/admin/households?q=${encodeURIComponent('zephyrine PAGINEE')}`);
    expect(first.text).toContain('27 familles');
    expect(first.text.match(/href="\/admin\/households\/\d+"/g)).toHaveLength(25);
    const second = await staff.get(`/admin/households?q=zephyrine&page=2`);
    expect(second.text).toContain('27 familles');
    expect(second.text.match(/href="\/admin\/households\/\d+"/g)).toHaveLength(2);
    const past = await staff.get(`/admin/households?q=zephyrine&page=9`);
    expect(past.status).toBe(200);
    expect(past.text).toContain('27 familles');
    // A deleted child no longer finds the household.
    await ctx
      .db('members')
      .where({ first_name: 'Zéphyrine' })
      .whereIn('id', ctx.db('household_members').where({ household_id: ids[0] }).select('member_id'))
      .update({ deleted_at: ctx.clock.now() });
    expect((await staff.get(`/admin/households?q=zephyrine`)).text).toContain('26 familles');
    // The email of a guardian's account.
    const parent = await createAccount(ctx.deps, { email: 'compte.unique-9731@example.test' });
    const withAccount = await createHousehold(ctx.deps, { accounts: [parent] });
    const byAccount = await staff.get(`/admin/households?q=${encodeURIComponent('unique-9731@')}`);
    expect(byAccount.text).toContain(`/admin/households/${withAccount.id}"`);
    expect(byAccount.text).toContain('1 famille');
  });

  it('finds a fragment anywhere in each searched field, and takes % and _ literally', async () => {
    // Each kind of match its own household, found by a fragment from the middle of the value.
    const byName = await createHousehold(ctx.deps, {
      children: [{ firstName: 'Anaïs', lastName: 'Quérangal' }],
    });
    const byEmail = await createHousehold(ctx.deps, { email: 'famille.orvalecq-42@example.test' });
    const byPhone = await createHousehold(ctx.deps);
    await ctx
      .db('households')
      .where({ id: byPhone.id })
      .update({ phone_mobile: null, phone_home: '02 41 87 63 59', phone_work: '02 41 00 00 00' });
    const byMemberPhone = await createHousehold(ctx.deps);
    const contact = await createContact(ctx.deps, byMemberPhone.id, { lastName: 'Sansnom' });
    await ctx
      .db('members')
      .where({ id: contact })
      .update({ phone: '07 00 00 00 00', phone2: '+33 6 58 31 47 92' });
    const byNumber = await createHousehold(ctx.deps);
    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const found = async (q: string) => {
      const res = await staff.get(`/admin/households?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      return { text: res.text, count: Number(res.text.match(/<p role="status">(\d+) familles?<\/p>/)?.[1]) };
    };
    const cases: [string, number][] = [
      ['ERANGA', byName.id], // accent typed without it, any case, middle of the surname
      ['anais querangal', byName.id],
      ['ORVALECQ-4', byEmail.id],
      ['876359', byPhone.id], // middle digits of the home phone
      ['31 47', byMemberPhone.id], // a member's second phone, typed with a space
      [byNumber.familyNumber.slice(1).toLowerCase(), byNumber.id], // "e-000123": middle of the number
    ];
    for (const [q, id] of cases) {
      const { text, count } = await found(q);
      expect(text, q).toContain(`/admin/households/${id}"`);
      expect(count, q).toBe(1);
    }
    // LIKE's wildcards are letters like the others.
    const literal = await createHousehold(ctx.deps, { email: 'joker_7%x@example.test' });
    const lookalike = await createHousehold(ctx.deps, { email: 'jokerZ7abcx@example.test' });
    for (const q of ['joker_7%x', 'r_7%']) {
      const { text, count } = await found(q);
      expect(text, q).toContain(`/admin/households/${literal.id}"`);
      expect(count, q).toBe(1);
    }
    expect((await found('jokerZ7abcx')).text).toContain(`/admin/households/${lookalike.id}"`);
    expect((await found('jokerZ7_bcx')).count).toBe(0);
    expect((await found('7%')).count).toBe(1);
  });

  it('is for agents: a parent gets 403, an animator gets 403', async () => {
    const { parent } = await createFamily(ctx.deps);
    expect((await (await loginAs(ctx, parent)).get('/admin/households')).status).toBe(403);
    expect(
      (
        await (
          await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }))
        ).get('/admin/households')
      ).status,
    ).toBe(403);
  });

  it('staff edit a household on the family’s behalf, audited in its history', async () => {
    const { household } = await createFamily(ctx.deps);
    const agent = await createAccount(ctx.deps, { role: 'agent', firstName: 'Sophie', lastName: 'Agent' });
    const staff = await loginAs(ctx, agent);
    const res = await staff.post(
      `/admin/households/${household.id}/edit`,
      await householdForm(ctx.deps, { house_number: '99' }),
    );
    expect(res.status).toBe(303);
    expect((await ctx.db('households').where({ id: household.id }).first()).house_number).toBe('99');
    const page = await staff.get(`/admin/households/${household.id}`);
    expect(page.text).toContain('Carte famille modifiée');
    expect(page.text).toContain('Sophie Agent');
  });
});
