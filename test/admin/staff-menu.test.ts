// The staff menu: on every staff page, the links of the person's role (each one they may open),
// the current page's marked with aria-current; never on a family's pages.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/web/types.js';
import {
  createAccount,
  createFamily,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const menuOf = (html: string) => {
  const $ = cheerio.load(html);
  const nav = $('nav.staff-menu');
  return {
    nav,
    links: nav
      .find('a')
      .map((_, a) => $(a).attr('href'))
      .get(),
    current: nav
      .find('a[aria-current="page"]')
      .map((_, a) => $(a).attr('href'))
      .get(),
  };
};

const expected: Record<Exclude<Role, 'parent'>, string[]> = {
  animator: ['/admin', '/admin/attendance', '/admin/headcount'],
  agent: [
    '/admin',
    '/admin/households',
    '/admin/documents',
    '/admin/requests',
    '/admin/enrolments',
    '/admin/reservations',
    '/admin/attendance',
    '/admin/headcount',
    '/admin/services',
  ],
  manager: [],
  admin: [],
};
expected.manager = [...expected.agent, '/admin/invoices', '/admin/payments'];
expected.admin = [...expected.manager, '/admin/staff', '/admin/audit', '/admin/emails'];

describe('the staff menu', () => {
  for (const role of ['animator', 'agent', 'manager', 'admin'] as const) {
    it(`gives ${role}s the links of their role, each opening, the current page marked`, async () => {
      const staff = await createAccount(ctx.deps, { role });
      const browser = await loginAs(ctx, staff);
      const home = menuOf((await browser.get('/admin')).text);
      expect(home.links).toEqual(expected[role]);
      expect(home.current).toEqual(['/admin']);
      for (const href of home.links.slice(1)) {
        const res = await browser.get(href);
        expect(res.status, href).toBe(200);
        // The page reached marks its own link.
        expect(menuOf(res.text).current, href).toEqual([href]);
      }
    });
  }

  it('marks the room of a page deeper in it, and shows on an error page under /admin', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const browser = await loginAs(ctx, agent);
    expect(menuOf((await browser.get('/admin/documents/upload')).text).current).toEqual(['/admin/documents']);
    const forbidden = await browser.get('/admin/invoices');
    expect(forbidden.status).toBe(403);
    expect(menuOf(forbidden.text).links).toEqual(expected.agent);
  });

  it('is not on the pages of a family', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Léo' }]);
    const browser = await loginAs(ctx, parent);
    const res = await browser.get('/');
    expect(res.status).toBe(200);
    expect(menuOf(res.text).nav).toHaveLength(0);
  });
});
