// What every page's <head> gives: a title naming the page (RGAA 8.6), a description of the site
// naming the town, and an icon (the SVG linked from the layout, and /favicon.ico that browsers ask
// for on their own).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWS_DIR } from '../../src/platform/paths.js';
import {
  Browser,
  createAccount,
  createFamily,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let town: string;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  town = ((await ctx.db('town').first('name')) as { name: string }).name;
});
afterAll(async () => ctx?.close());

const head = (html: string) => {
  const $ = cheerio.load(html);
  return {
    $,
    title: $('head > title').text(),
    description: $('head > meta[name="description"]').attr('content') ?? '',
  };
};

describe('page titles', () => {
  it('the home, staff home, accessibility, legal notice and privacy pages each have a title naming them', async () => {
    const visitor = new Browser(ctx.app);
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const pages = [
      { browser: visitor, path: '/', name: 'Accueil' },
      { browser: agent, path: '/admin', name: 'Espace agents' },
      { browser: visitor, path: '/accessibilite', name: "Déclaration d'accessibilité" },
      { browser: visitor, path: '/mentions-legales', name: 'Mentions légales' },
      { browser: visitor, path: '/donnees-personnelles', name: 'Données personnelles' },
    ];
    const titles: string[] = [];
    for (const p of pages) {
      const res = await p.browser.get(p.path);
      expect(res.status, p.path).toBe(200);
      const { title } = head(res.text);
      expect(title, p.path).toBe(`${p.name} – Portail Famille – ${town}`);
      titles.push(title);
    }
    expect(new Set(titles).size).toBe(pages.length);
  });

  it('an error page is titled with its error', async () => {
    const res = await new Browser(ctx.app).get('/nowhere');
    expect(res.status).toBe(404);
    expect(head(res.text).title).toBe(`Page introuvable – Portail Famille – ${town}`);
  });

  it('every page view sets its own title (partials, layouts and bare views aside)', () => {
    const views = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? views(path.join(dir, e.name))
          : e.name.endsWith('.ejs')
            ? [path.join(dir, e.name)]
            : [],
      );
    const pageViews = views(VIEWS_DIR)
      .map((file) => path.relative(VIEWS_DIR, file))
      .filter((name) => !path.basename(name).startsWith('_') && !/^(partials|layouts|bench)\//.test(name));
    expect(pageViews.length).toBeGreaterThan(50);
    const untitled = pageViews.filter(
      (name) => !/locals\.title\s*=/.test(readFileSync(path.join(VIEWS_DIR, name), 'utf8')),
    );
    expect(untitled).toEqual([]);
  });
});

describe('description and icon', () => {
  it('every page describes the site with the town name and links the icon, which is served', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const browser = await loginAs(ctx, parent);
    for (const res of [
      await new Browser(ctx.app).get('/'),
      await browser.get('/documents'),
      await new Browser(ctx.app).get('/nowhere'),
    ]) {
      const { $, description } = head(res.text);
      expect(description).toContain(`Portail Famille de la ${town}`);
      expect(description.length).toBeGreaterThan(50);
      expect($('head > link[rel="icon"][type="image/svg+xml"]').attr('href')).toBe('/img/favicon.svg');
    }
    const svg = await new Browser(ctx.app).get('/img/favicon.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');

    const ico = await new Browser(ctx.app).agent
      .get('/favicon.ico')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(ico.status).toBe(200);
    expect(ico.headers['content-type']).toMatch(/^image\//);
    // An ICO file: reserved 0, type 1 (icon), at least one image.
    const body = ico.body as Buffer;
    expect([body.readUInt16LE(0), body.readUInt16LE(2)]).toEqual([0, 1]);
    expect(body.readUInt16LE(4)).toBeGreaterThan(0);
    // No session row for an icon.
    expect(ico.headers['set-cookie']).toBeUndefined();
  });
});
