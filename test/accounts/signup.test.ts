import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, type TestContext } from '../support/index.js';
import { GOOD_PASSWORD, lastLinkTo } from './helpers.js';
import { createAccountsService } from '../../src/accounts/service.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const form = (email: string, extra: Record<string, string> = {}) => ({
  first_name: 'Camille',
  last_name: 'Durand',
  email,
  password: GOOD_PASSWORD,
  password_confirm: GOOD_PASSWORD,
  accept_notice: 'on',
  ...extra,
});

describe('sign-up', () => {
  it('shows the form with the password rule in plain French', async () => {
    const res = await new Browser(ctx.app).get('/signup');
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      'Au moins 12 caractères avec une majuscule, une minuscule, un chiffre et un caractère spécial',
    );
    expect(res.text).toContain('name="accept_notice"');
  });

  it('a parent signs up, confirms through the emailed link, lands on the dashboard, then logs in', async () => {
    const browser = new Browser(ctx.app);
    const res = await browser.post('/signup', form('Nouveau.Parent@example.test'));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/signup/sent');
    const row = await ctx
      .db('accounts')
      .whereRaw('lower(email) = ?', ['nouveau.parent@example.test'])
      .first();
    expect(row.email_verified_at).toBeNull();
    expect(row.role).toBe('parent');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.personal_data_notice_accepted_at).not.toBeNull();
    // The token is stored hashed: the emailed value is nowhere in the table.
    const path = await lastLinkTo(ctx, 'nouveau.parent@example.test', '/verify-email/');
    const raw = path.split('/').pop()!;
    const tokens = await ctx.db('account_tokens').where({ account_id: row.id });
    expect(tokens).toHaveLength(1);
    expect(tokens[0].token_hash).not.toContain(raw);
    expect(new Date(tokens[0].expires_at).getTime() - ctx.clock.now().getTime()).toBe(24 * 3600_000);

    // Before confirming, login explains what to do and offers a new link.
    const early = await new Browser(ctx.app).post('/login', {
      email: 'nouveau.parent@example.test',
      password: GOOD_PASSWORD,
    });
    expect(early.status).toBe(403);
    expect(early.text).toContain('pas encore confirmée');
    expect(early.text).toContain('action="/signup/resend"');

    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Confirmer mon adresse');
    const done = await browser.post(path, {}, { from: path });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/');
    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('nouveau.parent@example.test'.replace('nouveau.parent', 'Nouveau.Parent'));
    expect((await ctx.db('accounts').where({ id: row.id }).first()).email_verified_at).not.toBeNull();

    // The link is single use.
    const again = await new Browser(ctx.app).get(path);
    expect(again.status).toBe(410);

    // Log out, then log in with a differently cased email.
    const out = await browser.post('/logout', {}, { from: '/account' });
    expect(out.status).toBe(303);
    expect((await browser.get('/account')).status).toBe(303);
    const login = await new Browser(ctx.app).login('NOUVEAU.parent@EXAMPLE.test', GOOD_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
  });

  it('a verification link older than 24 hours no longer works, and a new one can be asked for', async () => {
    const browser = new Browser(ctx.app);
    await browser.post('/signup', form('lent@example.test'));
    const path = await lastLinkTo(ctx, 'lent@example.test', '/verify-email/');
    ctx.clock.advance(24 * 3600_000 + 1000);
    try {
      const late = await browser.post(path, {}, { from: '/signup' });
      expect(late.status).toBe(410);
      expect(late.text).toContain('plus valable');
      const resend = await browser.post('/signup/resend', { email: 'lent@example.test' });
      expect(resend.status).toBe(303);
      const fresh = await lastLinkTo(ctx, 'lent@example.test', '/verify-email/');
      expect(fresh).not.toBe(path);
      expect((await browser.post(fresh, {}, { from: fresh })).status).toBe(303);
    } finally {
      ctx.clock.set('2026-09-14T08:00:00Z');
    }
  });

  it('signing up with an address that exists shows the same page and emails the owner instead', async () => {
    const owner = await createAccount(ctx.deps, { email: 'deja@example.test' });
    const before = await ctx.db('accounts').count({ n: '*' }).first();
    const fresh = await new Browser(ctx.app).post('/signup', form('inconnu@example.test'));
    const dup = await new Browser(ctx.app).post('/signup', form('DEJA@example.test'));
    expect(dup.status).toBe(fresh.status);
    expect(dup.headers.location).toBe(fresh.headers.location);
    const pageFresh = await new Browser(ctx.app).get(fresh.headers.location!);
    const pageDup = await new Browser(ctx.app).get(dup.headers.location!);
    expect(pageDup.text.replace(/name="_csrf" value="[^"]+"/, '')).toBe(
      pageFresh.text.replace(/name="_csrf" value="[^"]+"/, ''),
    );
    const after = await ctx.db('accounts').count({ n: '*' }).first();
    expect(Number(after!.n)).toBe(Number(before!.n) + 1); // only "inconnu"
    await ctx.flushEmails();
    const mails = ctx.smtp.to(owner.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Tentative de création');
    expect(mails[0]!.text).not.toContain('/verify-email/');
    // The existing password is untouched.
    expect((await new Browser(ctx.app).login(owner.email, owner.password)).status).toBe(303);
  });

  it('bad input re-renders the form with each error, keeps the values, and creates nothing', async () => {
    const before = await ctx.db('accounts').count({ n: '*' }).first();
    const cases: [Record<string, string>, string, string][] = [
      [{ first_name: '' }, 'first_name', 'Saisissez votre prénom.'],
      [{ email: 'pas-une-adresse' }, 'email', 'Saisissez une adresse électronique valide'],
      [{ password: 'Court-1!', password_confirm: 'Court-1!' }, 'password', 'au moins 12 caractères'],
      [{ password: 'toutenminusculessansrien', password_confirm: 'toutenminusculessansrien' }, '', ''],
      [
        { password: 'password1234567890', password_confirm: 'password1234567890' },
        'password',
        'les plus utilisés',
      ],
      [{ password: 'Azerty123456!', password_confirm: 'Azerty123456!' }, 'password', 'les plus utilisés'],
      [
        {
          email: 'soleilmatin@example.test',
          password: 'Soleilmatin-2026!',
          password_confirm: 'Soleilmatin-2026!',
        },
        'password',
        'votre adresse électronique',
      ],
      [{ password_confirm: 'Autre-Chose-2026!' }, 'password_confirm', 'ne sont pas identiques'],
      [
        { password: 'A1!' + 'a'.repeat(130), password_confirm: 'A1!' + 'a'.repeat(130) },
        'password',
        '128 caractères',
      ],
      [{ accept_notice: '' }, 'accept_notice', 'notice sur les données personnelles'],
    ];
    for (const [patch, field, text] of cases) {
      if (!field) continue; // 24 lower-case letters is acceptable (16+ of any kind): checked below
      const res = await new Browser(ctx.app).post('/signup', form(`bad-${field}@example.test`, patch));
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(res.text).toContain('class="error-summary"');
      expect(res.text).toContain(`href="#${field}"`);
      expect(res.text).toContain(text);
      expect(res.text).toContain('value="Durand"');
      expect(res.text).not.toContain(GOOD_PASSWORD);
    }
    const after = await ctx.db('accounts').count({ n: '*' }).first();
    expect(Number(after!.n)).toBe(Number(before!.n));
    expect(
      (
        await new Browser(ctx.app).post(
          '/signup',
          form('longue@example.test', {
            password: 'toutenminusculessansrien',
            password_confirm: 'toutenminusculessansrien',
          }),
        )
      ).status,
    ).toBe(303);
  });

  it('the daily purge deletes sign-ups never confirmed after 30 days, and old tokens, but keeps the rest', async () => {
    const browser = new Browser(ctx.app);
    await browser.post('/signup', form('jamais-confirme@example.test'));
    const confirmed = await createAccount(ctx.deps, { email: 'confirme-purge@example.test' });
    const recent = await createAccount(ctx.deps, { email: 'recent-purge@example.test', verified: false });
    ctx.clock.advance(31 * 24 * 3600_000);
    try {
      await ctx.db('accounts').where({ id: recent.id }).update({ created_at: ctx.clock.now() });
      const result = await createAccountsService(ctx.deps).purgeExpired();
      expect(result.accounts).toBeGreaterThanOrEqual(1);
      expect(
        await ctx.db('accounts').whereRaw('lower(email) = ?', ['jamais-confirme@example.test']),
      ).toHaveLength(0);
      expect(await ctx.db('accounts').where({ id: confirmed.id })).toHaveLength(1);
      expect(await ctx.db('accounts').where({ id: recent.id })).toHaveLength(1);
      expect(
        await ctx
          .db('account_tokens')
          .where('expires_at', '<', new Date(ctx.clock.now().getTime() - 30 * 24 * 3600_000)),
      ).toHaveLength(0);
    } finally {
      ctx.clock.set('2026-09-14T08:00:00Z');
    }
  });

  it('asking for a new link with a bad address re-renders the form; an unknown or confirmed address gets the same answer and no email', async () => {
    const bad = await new Browser(ctx.app).post('/signup/resend', { email: 'pas-une-adresse' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#email"');
    expect(bad.text).toContain('value="pas-une-adresse"');
    const confirmed = await createAccount(ctx.deps);
    const a = await new Browser(ctx.app).post('/signup/resend', { email: confirmed.email });
    const b = await new Browser(ctx.app).post('/signup/resend', { email: 'personne-resend@example.test' });
    expect(a.headers.location).toBe('/signup/sent');
    expect(b.headers.location).toBe('/signup/sent');
    await ctx.flushEmails();
    expect(ctx.smtp.to(confirmed.email)).toHaveLength(0);
    expect(ctx.smtp.to('personne-resend@example.test')).toHaveLength(0);
  });
});
