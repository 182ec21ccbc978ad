// The role matrix: every admin area declared by a feature (src/features.ts adminLinks), for
// every role. It grows by itself as features add their admin links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { features } from '../../src/features.js';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import type { Role } from '../../src/web/types.js';

const ROLES: Role[] = ['parent', 'animator', 'agent', 'manager', 'admin'];
const links = features.flatMap((f) => f.adminLinks ?? []);

let ctx: TestContext;
const browsers = new Map<Role, Browser>();
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  for (const role of ROLES) browsers.set(role, await loginAs(ctx, await createAccount(ctx.deps, { role })));
});
afterAll(async () => ctx?.close());

describe('role matrix', () => {
  it('has admin areas to check', () => {
    expect(links.map((l) => l.href)).toContain('/admin/staff');
  });

  for (const link of links) {
    for (const role of ROLES) {
      const allowed = link.roles.includes(role);
      it(`${role} → ${link.href}: ${allowed ? 200 : 403}`, async () => {
        const res = await browsers.get(role)!.get(link.href);
        expect(res.status).toBe(allowed ? 200 : 403);
        if (!allowed) expect(res.text).toContain('Accès refusé');
      });
    }
    it(`visitor → ${link.href}: login`, async () => {
      const res = await new Browser(ctx.app).get(link.href);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(link.href)}`);
    });
  }

  it('the staff home lists exactly the links of the role', async () => {
    for (const role of ROLES.filter((r) => r !== 'parent')) {
      const res = await browsers.get(role)!.get('/admin');
      expect(res.status).toBe(200);
      for (const link of links)
        expect(res.text.includes(`href="${link.href}"`), `${role} ${link.href}`).toBe(
          link.roles.includes(role),
        );
    }
    expect((await browsers.get('parent')!.get('/admin')).status).toBe(403);
  });
});
