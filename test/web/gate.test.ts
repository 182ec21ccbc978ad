// Feature routers are entered only under the first segments of their own paths (src/web/gate.ts):
// what they answer must not change, and a router whose paths cannot be read stays always entered.
import express, { Router } from 'express';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { features } from '../../src/features.js';
import type { AppDeps } from '../../src/deps.js';
import { gated, routerPrefixes } from '../../src/web/gate.js';

function app(...routers: Router[]) {
  const a = express();
  for (const r of routers) a.use(gated(r));
  a.use((_req, res) => res.status(404).send('none'));
  return a;
}

describe('gated feature routers', () => {
  it('reads the first segments of routes and of middleware mounted on a path', () => {
    const r = Router();
    r.use('/enrolments', (_req, _res, next) => next());
    r.get('/', (_req, res) => res.send('home'));
    r.get('/children/:id/calendar', (_req, res) => res.send('calendar'));
    r.post(['/a/b', '/c'], (_req, res) => res.send('x'));
    expect(routerPrefixes(r)).toEqual(new Set(['/enrolments', '/', '/children', '/a', '/c']));
  });

  it('keeps entering a router whose paths it cannot read', () => {
    const withParam = Router();
    withParam.get('/:slug', (_req, res) => res.send('slug'));
    const everyPath = Router();
    everyPath.use((_req, res, next) => (res.setHeader('x-seen', '1'), next()));
    const regex = Router();
    regex.get(/^\/r[0-9]+$/, (_req, res) => res.send('regex'));
    for (const r of [withParam, everyPath, regex]) expect(routerPrefixes(r)).toBeNull();
    expect(gated(withParam)).toBe(withParam);
  });

  it('answers the same: other paths pass on, case and trailing slash as Express matches them', async () => {
    const a = Router();
    a.get('/', (_req, res) => res.send('home'));
    a.get('/login', (_req, res) => res.send('login'));
    const b = Router();
    b.get('/reservations/:id', (req, res) => res.send(`booking ${req.params.id}`));
    const everyPath = Router();
    everyPath.use((_req, res, next) => (res.setHeader('x-seen', '1'), next()));
    const http = supertest(app(a, everyPath, b));
    expect((await http.get('/')).text).toBe('home');
    expect((await http.get('/LOGIN/')).text).toBe('login');
    const booking = await http.get('/reservations/12');
    expect(booking.text).toBe('booking 12');
    expect(booking.headers['x-seen']).toBe('1');
    expect((await http.get('/loginx')).status).toBe(404);
    expect((await http.get('/reservations')).status).toBe(404);
  });

  it('does not enter a router for a path outside its segments', () => {
    let entered = 0;
    const router = Object.assign((_req: unknown, _res: unknown, next: () => void) => (entered++, next()), { stack: [{ route: { path: '/a' } }] }) as unknown as Router;
    const handler = gated(router);
    let passed = 0;
    const call = (path: string) => handler({ path } as express.Request, {} as express.Response, () => passed++);
    call('/b/a');
    expect([entered, passed]).toEqual([0, 1]);
    call('/A/1');
    expect([entered, passed]).toEqual([1, 2]);
  });

  it("gates every feature's routers (an ungated one would put its routes back in every request's way)", () => {
    const deps = { config: {}, db: {}, logger: {}, clock: {} } as unknown as AppDeps;
    for (const f of features) {
      if (f.routes) expect(routerPrefixes(f.routes(deps)), f.name).not.toBeNull();
      if (f.adminRoutes) expect(routerPrefixes(f.adminRoutes(deps)), `${f.name} (admin)`).not.toBeNull();
    }
  });
});
