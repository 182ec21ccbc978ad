// Admins read the outbox to help families, never to use a live password-reset, confirmation or
// invitation link: the secret part of every such link is masked on the page.
import { randomBytes } from 'node:crypto';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecretLinks } from '../../src/platform/email.js';
import {
  Browser,
  createAccount,
  createFamily,
  createTestContext,
  linkIn,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const BASE = 'http://portail.test';
const newToken = () => randomBytes(32).toString('base64url'); // as src/accounts and src/households make them

describe('masking secret links', () => {
  it('masks the token of every link that carries one, and leaves other links whole', () => {
    for (const path of [
      '/reset-password/',
      '/set-password/',
      '/verify-email/',
      '/account/email/confirm/',
      '/household/invitations/',
    ]) {
      for (let i = 0; i < 20; i++) {
        const token = newToken();
        const text = `Bonjour,\n\nChoisir : ${BASE}${path}${token}\n\nVille`;
        const masked = maskSecretLinks(text);
        expect(masked).not.toContain(token);
        expect(masked).toContain(`${BASE}${path}••••••`);
      }
    }
    expect(maskSecretLinks(`Voir : ${BASE}/reset-password?token=${'aB3'.repeat(10)}&x=1`)).toBe(
      `Voir : ${BASE}/reset-password?token=••••••&x=1`,
    );
    const plain = `Voir : ${BASE}/invoices/2026-000123 et ${BASE}/requests/42, ${BASE}/documents, ${BASE}/mes-demarches-en-cours-de-traitement`;
    expect(maskSecretLinks(plain)).toBe(plain);
  });
});

describe('the outbox pages of an admin', () => {
  it('never show the token of a password reset, an email confirmation or a household invitation', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    expect((await new Browser(ctx.app).post('/forgot-password', { email: parent.email })).status).toBe(303);
    const signup = {
      first_name: 'Camille',
      last_name: 'Durand',
      email: 'nouveau@example.test',
      password: 'Soleil-Levant-2026!',
      password_confirm: 'Soleil-Levant-2026!',
      accept_notice: 'on',
    };
    expect((await new Browser(ctx.app).post('/signup', signup)).status).toBe(303);
    expect(
      (await (await loginAs(ctx, parent)).post('/household/invite', { email: 'second@example.test' })).status,
    ).toBe(303);

    const cases = [
      { to: parent.email, path: '/reset-password/' },
      { to: 'nouveau@example.test', path: '/verify-email/' },
      { to: 'second@example.test', path: '/household/invitations/' },
    ];
    const admin = await loginAs(ctx, await createAccount(ctx.deps, { role: 'admin' }));
    const list = await admin.get('/admin/emails');
    for (const { to, path } of cases) {
      const row = await ctx.db('outbox_emails').where({ to_address: to }).orderBy('id', 'desc').first();
      const token = linkIn(row.text_body, `${BASE}${path}`).slice(`${BASE}${path}`.length);
      expect(token.length).toBeGreaterThan(20);

      const res = await admin.get(`/admin/emails/${row.id}`);
      expect(res.status).toBe(200);
      const $ = cheerio.load(res.text);
      expect($('pre.email-body').text()).toContain(`${BASE}${path}••••••`);
      expect($('h1').text()).toBe(row.subject);
      // Nowhere on the page: not in the text, not in an attribute, not in the source.
      expect($.root().text()).not.toContain(token);
      expect(
        $('*')
          .toArray()
          .some((el) =>
            Object.values((el as { attribs?: Record<string, string> }).attribs ?? {}).some((v) =>
              v.includes(token),
            ),
          ),
      ).toBe(false);
      expect(res.text).not.toContain(token);
      expect(list.text).not.toContain(token);
    }
  });
});
