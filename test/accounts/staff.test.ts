import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Browser,
  createAccount,
  createTestContext,
  loginAs,
  type TestAccount,
  type TestContext,
} from '../support/index.js';
import { GOOD_PASSWORD, lastLinkTo } from './helpers.js';

let ctx: TestContext;
let admin: TestAccount;
let adminBrowser: Browser;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  admin = await createAccount(ctx.deps, { role: 'admin' });
  adminBrowser = await loginAs(ctx, admin);
});
afterAll(async () => ctx?.close());

const audits = (action: string, id: number) =>
  ctx.db('audit_events').where({ action, subject_type: 'account', subject_id: String(id) });

describe('staff accounts (admin only)', () => {
  it('only admins reach /admin/staff; parents get 403, visitors the login page', async () => {
    for (const role of ['animator', 'agent', 'manager', 'parent'] as const) {
      const b = await loginAs(ctx, await createAccount(ctx.deps, { role }));
      expect((await b.get('/admin/staff')).status, role).toBe(403);
      expect((await b.get('/admin/staff/new')).status, role).toBe(403);
      const post = await b.post(
        '/admin/staff/new',
        { first_name: 'A', last_name: 'B', email: `x-${role}@example.test`, role: 'admin' },
        { from: '/account' },
      );
      expect(post.status, role).toBe(403);
    }
    expect(await ctx.db('accounts').where('email', 'like', 'x-%@example.test')).toHaveLength(0);
    const visitor = await new Browser(ctx.app).get('/admin/staff');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toBe('/login?next=%2Fadmin%2Fstaff');
    const list = await adminBrowser.get('/admin/staff');
    expect(list.status).toBe(200);
    expect(list.text).toContain(admin.email);
    expect(list.text).toContain('<caption>');
  });

  it('an admin creates a staff member, who sets a password from the emailed link and sets up the second factor at first login', async () => {
    const school = await ctx.db('schools').orderBy('id').first('id', 'name');
    const res = await adminBrowser.post('/admin/staff/new', {
      first_name: 'Paul',
      last_name: 'Animateur',
      email: 'paul.anim@example.test',
      role: 'animator',
      sites: String(school.id),
    });
    expect(res.status).toBe(303);
    const row = await ctx.db('accounts').where({ email: 'paul.anim@example.test' }).first();
    expect(row.role).toBe('animator');
    expect(row.password_hash).toBeNull();
    expect(res.headers.location).toBe(`/admin/staff/${row.id}`);
    expect(await ctx.db('account_sites').where({ account_id: row.id }).pluck('school_id')).toEqual([
      school.id,
    ]);
    const [created] = await audits('staff.created', row.id);
    expect(created.actor_account_id).toBe(admin.id);

    const path = await lastLinkTo(ctx, 'paul.anim@example.test', '/set-password/');
    const staffBrowser = new Browser(ctx.app);
    expect((await staffBrowser.get(path)).text).toContain('Choisir mon mot de passe');
    const set = await staffBrowser.post(
      path,
      { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD },
      { from: path },
    );
    expect(set.status).toBe(303);
    expect(
      (
        await staffBrowser.post(
          path,
          { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD },
          { from: '/login' },
        )
      ).status,
    ).toBe(410);

    const login = await staffBrowser.post(
      '/login',
      { email: 'paul.anim@example.test', password: GOOD_PASSWORD },
      { from: '/login' },
    );
    expect(login.headers.location).toBe('/login/setup-2fa');
    const page = await staffBrowser.get('/login/setup-2fa');
    const secret = page.text.match(/class="totp-secret">([A-Z2-7 ]+)</)![1]!.replace(/ /g, '');
    const done = await staffBrowser.post(
      '/login/setup-2fa',
      { code: authenticator.generate(secret) },
      { from: '/login/setup-2fa' },
    );
    expect(done.status).toBe(303);
    expect((await staffBrowser.get('/admin')).status).toBe(200);
  });

  it('refuses bad input (and a duplicate email) with the form re-rendered and nothing created', async () => {
    const before = Number((await ctx.db('accounts').count({ n: '*' }).first())!.n);
    const cases: [Record<string, string>, string][] = [
      [{ first_name: '', last_name: 'X', email: 'a1@example.test', role: 'agent' }, 'first_name'],
      [{ first_name: 'A', last_name: 'X', email: 'pas-une-adresse', role: 'agent' }, 'email'],
      [{ first_name: 'A', last_name: 'X', email: 'a2@example.test', role: 'parent' }, 'role'],
      [
        { first_name: 'A', last_name: 'X', email: 'a3@example.test', role: 'agent', sites: '999999' },
        'sites',
      ],
      [{ first_name: 'A', last_name: 'X', email: admin.email.toUpperCase(), role: 'agent' }, 'email'],
    ];
    for (const [fields, field] of cases) {
      const res = await adminBrowser.post('/admin/staff/new', fields);
      expect([400, 422], JSON.stringify(fields)).toContain(res.status);
      expect(res.text).toContain(`href="#${field}"`);
      expect(res.text).toContain('value="X"');
    }
    expect(Number((await ctx.db('accounts').count({ n: '*' }).first())!.n)).toBe(before);
  });

  it('changes role and sites, disables (ending the sessions) and enables, each audited', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const agentBrowser = await loginAs(ctx, agent);
    const schools = await ctx.db('schools').orderBy('id').limit(2).pluck('id');
    const upd = await adminBrowser.post(`/admin/staff/${agent.id}`, {
      role: 'manager',
      sites: schools.map(String),
    });
    expect(upd.status).toBe(303);
    expect((await ctx.db('accounts').where({ id: agent.id }).first()).role).toBe('manager');
    expect((await ctx.db('account_sites').where({ account_id: agent.id }).pluck('school_id')).sort()).toEqual(
      [...schools].sort(),
    );
    expect((await audits('staff.updated', agent.id))[0].details).toMatchObject({
      from: 'agent',
      role: 'manager',
    });

    const bad = await adminBrowser.post(`/admin/staff/${agent.id}`, { role: 'superuser' });
    expect(bad.status).toBe(400);
    expect((await ctx.db('accounts').where({ id: agent.id }).first()).role).toBe('manager');

    const off = await adminBrowser.post(
      `/admin/staff/${agent.id}/disable`,
      {},
      { from: `/admin/staff/${agent.id}` },
    );
    expect(off.status).toBe(303);
    expect((await agentBrowser.get('/admin')).status).toBe(303);
    expect(
      (await new Browser(ctx.app).post('/login', { email: agent.email, password: agent.password })).status,
    ).toBe(401);
    expect(await audits('staff.disabled', agent.id)).toHaveLength(1);
    const on = await adminBrowser.post(
      `/admin/staff/${agent.id}/enable`,
      {},
      { from: `/admin/staff/${agent.id}` },
    );
    expect(on.status).toBe(303);
    expect((await loginAs(ctx, agent).then((b) => b.get('/admin'))).status).toBe(200);
    expect(await audits('staff.enabled', agent.id)).toHaveLength(1);
  });

  it('resets a staff member who lost their device: next login sets the second factor up again', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const res = await adminBrowser.post(
      `/admin/staff/${agent.id}/reset-2fa`,
      {},
      { from: `/admin/staff/${agent.id}` },
    );
    expect(res.status).toBe(303);
    expect((await ctx.db('accounts').where({ id: agent.id }).first()).totp_secret).toBeNull();
    expect(await audits('staff.2fa_reset', agent.id)).toHaveLength(1);
    const login = await new Browser(ctx.app).post(
      '/login',
      { email: agent.email, password: agent.password },
      { from: '/login' },
    );
    expect(login.headers.location).toBe('/login/setup-2fa');
  });

  it('an admin cannot change their own role or disable themselves; parents and unknown ids are 404', async () => {
    const own = await adminBrowser.post(`/admin/staff/${admin.id}`, { role: 'agent' });
    expect(own.status).toBe(422);
    expect((await ctx.db('accounts').where({ id: admin.id }).first()).role).toBe('admin');
    const self = await adminBrowser.post(
      `/admin/staff/${admin.id}/disable`,
      {},
      { from: `/admin/staff/${admin.id}` },
    );
    expect(self.status).toBe(422);
    expect((await ctx.db('accounts').where({ id: admin.id }).first()).disabled_at).toBeNull();
    const parent = await createAccount(ctx.deps);
    expect((await adminBrowser.get(`/admin/staff/${parent.id}`)).status).toBe(404);
    expect(
      (await adminBrowser.post(`/admin/staff/${parent.id}/disable`, {}, { from: '/admin/staff' })).status,
    ).toBe(404);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).disabled_at).toBeNull();
    expect((await adminBrowser.get('/admin/staff/abc')).status).toBe(404);
  });
});
