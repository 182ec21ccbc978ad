import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { createDeps } from '../../src/compose.js';
import { createDb } from '../../src/platform/db.js';
import { runSeeds } from '../../src/platform/seeds.js';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('health', () => {
  it('answers 200 with the database reachable', async () => {
    const res = await supertest(ctx.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('answers 503 when the database cannot be reached', async () => {
    const deadDb = createDb('postgres://postgres:x@127.0.0.1:1/none', 1);
    const deps = createDeps({ ...ctx.deps, db: deadDb });
    const app = createApp(deps);
    try {
      const res = await supertest(app).get('/healthz');
      expect(res.status).toBe(503);
      expect(res.body.database).toBe('unreachable');
    } finally {
      await app.close();
      await deadDb.destroy();
    }
  });
});

describe('pages', () => {
  it('serves the home page in French with the town name and security headers', async () => {
    const res = await supertest(ctx.app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Ville de Saint-Exemple');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('shows the 404 page in the layout for unknown paths', async () => {
    const res = await supertest(ctx.app).get('/nulle-part');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page introuvable');
    expect(res.text).toContain('class="skip-link"');
  });

  it('has real accessibility, privacy and legal pages', async () => {
    for (const [path, text] of [
      ['/accessibilite', "Déclaration d'accessibilité"],
      ['/donnees-personnelles', 'Responsable du traitement'],
      ['/mentions-legales', 'Directeur de la publication'],
    ]) {
      const res = await supertest(ctx.app).get(path!);
      expect(res.status).toBe(200);
      expect(res.text).toContain(text!.replace("'", '&#39;'));
    }
  });

  it('never shows a stack trace', async () => {
    const res = await supertest(ctx.app).get('/admin/emails/not-a-number').redirects(0);
    expect(res.text ?? '').not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('CSRF', () => {
  it('refuses an urlencoded POST without a token with the "form expired" page', async () => {
    const browser = new Browser(ctx.app);
    const res = await browser.post(
      '/login',
      { email: 'parent@demo.test', password: 'Demo-parent-2026!' },
      { csrf: null },
    );
    expect(res.status).toBe(403);
    expect(res.text).toContain('Ce formulaire a expiré');
    const wrong = await browser.post(
      '/login',
      { email: 'parent@demo.test', password: 'Demo-parent-2026!' },
      { csrf: 'forged' },
    );
    expect(wrong.status).toBe(403);
  });

  it('refuses a multipart POST without a token', async () => {
    const browser = new Browser(ctx.app);
    await browser.get('/login');
    const res = await browser.upload(
      '/login',
      { email: 'parent@demo.test', password: 'Demo-parent-2026!' },
      [{ content: Buffer.from('%PDF-1.4'), filename: 'a.pdf' }],
      { csrf: null },
    );
    expect(res.status).toBe(403);
  });

  it('accepts a multipart POST with the token (the check reads the parsed body)', async () => {
    const browser = new Browser(ctx.app);
    await browser.get('/login');
    const res = await browser.upload('/login', { email: 'nobody@example.test', password: 'x' }, [], {
      from: '/login',
    });
    expect(res.status).toBe(401); // past CSRF, into the login rule
  });
});

describe('sessions', () => {
  it('survive an app restart (they live in PostgreSQL)', async () => {
    const account = await createAccount(ctx.deps, { role: 'admin' });
    const browser = await loginAs(ctx, account);
    const before = await browser.get('/admin/audit');
    expect(before.status).toBe(200);
    const cookie = browser.agent.jar.getCookie('pf.sid', {
      domain: '127.0.0.1',
      path: '/',
      secure: false,
      script: false,
    });
    expect(cookie).toBeTruthy();
    const restarted = ctx.newApp();
    const res = await supertest(restarted).get('/admin/audit').set('Cookie', `pf.sid=${cookie!.value}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Journal d');
  });
});

describe('seeds', () => {
  it('running them twice leaves the same rows', async () => {
    const count = async () => {
      const out: Record<string, number> = {};
      for (const table of ['town', 'schools', 'streets', 'school_years', 'calendar_periods', 'accounts']) {
        const [{ n }] = (await ctx.db(table).count({ n: '*' })) as [{ n: number }];
        out[table] = Number(n);
      }
      return out;
    };
    const first = await count();
    await runSeeds(ctx.deps);
    expect(await count()).toEqual(first);
    expect(first.streets).toBeGreaterThanOrEqual(30);
    expect(first.schools).toBe(3);
  });
});
