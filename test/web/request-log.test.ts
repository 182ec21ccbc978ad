import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { createApp, type App } from '../../src/app.js';
import { createDeps } from '../../src/compose.js';
import { createDb } from '../../src/platform/db.js';
import { createTestContext, type TestContext } from '../support/index.js';

/** A pino logger writing its JSON lines to an array. */
function bufferLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: pino({ level, base: undefined }, stream), lines, raw };
}

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

function appWith(level: string): { app: App; lines: Record<string, unknown>[]; raw: string[] } {
  const { logger, lines, raw } = bufferLogger(level);
  return { app: createApp(createDeps({ ...ctx.deps, logger })), lines, raw };
}

describe('request log', () => {
  it('gives every request an id and logs one line: method, path without its query, status, time, id; no headers, cookies or query', async () => {
    const { app, lines, raw } = appWith('info');
    const res = await supertest(app)
      .get('/login?next=%2Finvoices&email=jeanne.martin%40example.test')
      .set('Cookie', 'pf.sid=s%3Asecret-session-id.signature; other=cookie-value')
      .set('User-Agent', 'Navigateur-de-Jeanne');
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id, method: 'GET', path: '/login' },
      res: { status: 200 },
    });
    expect(Object.keys(lines[0]!.req as object).sort()).toEqual(['id', 'method', 'path']);
    expect(Object.keys(lines[0]!.res as object)).toEqual(['status']);
    expect(typeof lines[0]!.responseTime).toBe('number');
    const text = raw.join('\n');
    for (const secret of [
      '?',
      'example.test',
      'jeanne',
      'secret-session-id',
      'pf.sid',
      'cookie-value',
      'Navigateur',
      'set-cookie',
    ])
      expect(text).not.toContain(secret);
  });

  it('gives each request its own id', async () => {
    const { app } = appWith('info');
    const a = await supertest(app).get('/login');
    const b = await supertest(app).get('/login');
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('logs the status of refused requests and leaves the assets out', async () => {
    const { app, lines } = appWith('info');
    await supertest(app).get('/nulle-part');
    await supertest(app).get('/css/main.css');
    expect(
      lines.map((l) => [(l.req as { path: string }).path, (l.res as { status: number }).status]),
    ).toEqual([['/nulle-part', 404]]);
  });

  it('writes no line below info, but still sends the id', async () => {
    const { app, lines } = appWith('warn');
    const res = await supertest(app).get('/login');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(lines).toEqual([]);
  });

  it('logs a server error on the request line, with the error', async () => {
    const { logger, lines } = bufferLogger('warn');
    const deadDb = createDb('postgres://postgres:x@127.0.0.1:1/none', 1);
    const app = createApp(createDeps({ ...ctx.deps, db: deadDb, logger }));
    try {
      const res = await supertest(app).get('/?q=secret');
      expect(res.status).toBe(500);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 50,
        msg: 'request errored',
        req: { id: res.headers['x-request-id'], method: 'GET', path: '/' },
        res: { status: 500 },
      });
      expect((lines[0]!.err as { message: string }).message).toContain('ECONNREFUSED');
      expect(JSON.stringify(lines[0])).not.toContain('secret');
    } finally {
      await app.close();
      await deadDb.destroy();
    }
  });
});
