import { describe, expect, it } from 'vitest';
import type { Response } from 'express';
import { keptPageOf, PageCache, renderKeptPage, type FragmentOptions, type KeptPage, type PageCacheStats } from '../../src/web/page-cache.js';

const page = (chars: number, title = 't'): KeptPage => ({ title, parts: [Buffer.from('x'.repeat(chars))] });
const text = (kept: KeptPage | undefined) => kept && Buffer.concat(kept.parts).toString();

describe('PageCache', () => {
  it('gives a slot\'s page only under the key it was kept with, one page a slot', () => {
    const cache = new PageCache(1_000_000);
    cache.set('1:1', 'a', page(10));
    expect(text(cache.get('1:1', 'a'))).toBe('x'.repeat(10));
    expect(cache.get('1:1', 'b')).toBeUndefined();
    expect(cache.get('2:1', 'a')).toBeUndefined();
    cache.set('1:1', 'b', page(20));
    expect(cache.get('1:1', 'a')).toBeUndefined();
    expect(text(cache.get('1:1', 'b'))?.length).toBe(20);
    expect(cache.size).toBe(1);
  });

  it('stays within its bytes, dropping the least recently used pages first', () => {
    // Each page of 1,000 bytes counts ≈ 1,300 bytes: three fit in 4,000.
    const cache = new PageCache(4_000);
    cache.set('a', 'k', page(1000));
    cache.set('b', 'k', page(1000));
    cache.set('c', 'k', page(1000));
    expect(cache.size).toBe(3);
    cache.get('a', 'k'); // used: b is now the oldest
    cache.set('d', 'k', page(1000));
    expect(cache.get('b', 'k')).toBeUndefined();
    expect(cache.get('a', 'k')).toBeDefined();
    expect(cache.get('c', 'k')).toBeDefined();
    expect(cache.get('d', 'k')).toBeDefined();
    // A page larger than the whole budget is not kept, and drops nothing.
    cache.set('e', 'k', page(10_000));
    expect(cache.get('e', 'k')).toBeUndefined();
    expect(cache.size).toBe(3);
    // Replacing a slot's page frees the old one's bytes.
    for (let i = 0; i < 50; i++) cache.set('a', `k${i}`, page(1000));
    expect(cache.size).toBe(3);
  });
  it('counts its views (kept, no page, changed) and the pages dropped, and reports them at most once a period', () => {
    let now = 0;
    const reports: PageCacheStats[] = [];
    const cache = new PageCache(3_000, { everyMs: 1000, now: () => now, log: (stats) => reports.push(stats) });
    cache.get('a', 'k'); // no page
    cache.set('a', 'k', page(1000));
    cache.get('a', 'k'); // kept
    cache.get('a', 'k2'); // changed
    cache.set('b', 'k', page(1000));
    cache.set('c', 'k', page(1000)); // over 3,000 bytes: a is dropped
    now = 999;
    cache.get('b', 'k');
    expect(reports).toEqual([]);
    now = 1000;
    cache.get('b', 'k'); // the report comes first: this view is in the next one
    expect(reports).toEqual([{ served: 2, absent: 1, changed: 1, dropped: 1, pages: 2, bytes: expect.any(Number) }]);
    expect(reports[0]!.bytes).toBeGreaterThan(2000);
    expect(cache.takeStats()).toMatchObject({ served: 1, absent: 0, changed: 0, dropped: 0, pages: 2 });
    now = 1500;
    cache.get('x', 'k');
    expect(reports).toHaveLength(1);
  });
});

describe('keptPageOf', () => {
  it('cuts the view where the session\'s token was written (escaped as the view writes it)', () => {
    const kept = keptPageOf({ body: '<a>x</a><input value="t&amp;k">é<input value="t&amp;k">', title: 'T' }, 't&k');
    expect(kept.title).toBe('T');
    expect(kept.parts.map((part) => part.toString())).toEqual(['<a>x</a><input value="', '">é<input value="', '">']);
    expect(keptPageOf({ body: 'no form' }, null).parts.map(String)).toEqual(['no form']);
  });
});

describe('renderKeptPage', () => {
  /**
   * A response as Express gives it, rendering as src/web/render.ts does: the view (its body and
   * title, handed to keepFragment when it is rendered, not kept) in a layout showing its title,
   * the session's token, and the view's part.
   */
  const response = (token: string, body: string) => {
    const views: FragmentOptions[] = [];
    const written: Buffer[] = [];
    const headers: Record<string, unknown> = {};
    const res = {
      locals: { csrfToken: () => token },
      render: (_view: string, options: FragmentOptions, done: (err: Error | null, html?: string) => void) => {
        views.push(options);
        if (options.layout === false) {
          options.keepFragment?.({ body, title: 't' });
          return done(null, body);
        }
        done(null, `<title>${options.pageFragment?.title}</title><meta content="${token}"><main>${options.pageFragment?.body}</main>`);
      },
      type: (type: string) => (headers['content-type'] = type),
      setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = value),
      cork: () => undefined,
      write: (chunk: Buffer) => written.push(chunk),
      end: () => undefined,
    } as unknown as Response;
    return { res, views, headers, sent: () => Buffer.concat(written).toString() };
  };

  it('keeps a page under the key its rows were read with, not the request\'s', async () => {
    const cache = new PageCache(1_000_000);
    let reads = 0;
    // The request's key was k1; a change committed before the page's rows were read, at k2.
    const first = response('A', 'rows of k2');
    await renderKeptPage(first.res, cache, 'v', 's', 'k1', async () => (reads++, { locals: {}, key: 'k2' }));
    expect(first.sent()).toBe('<title>t</title><meta content="A"><main>rows of k2</main>');
    // The next request, at k2, gets that page without reading; one still at k1 would not.
    const second = response('A', 'unused');
    await renderKeptPage(second.res, cache, 'v', 's', 'k2', async () => (reads++, { locals: {}, key: 'k2' }));
    expect(reads).toBe(1);
    expect(second.sent()).toContain('<main>rows of k2</main>');
    const third = response('A', 'rows of k1');
    await renderKeptPage(third.res, cache, 'v', 's', 'k1', async () => (reads++, { locals: {}, key: 'k1' }));
    expect(reads).toBe(2);
    expect(third.sent()).toContain('<main>rows of k1</main>');
  });

  it('sends a kept page with the viewer\'s own CSRF token in its forms, in its layout, with its length', async () => {
    const cache = new PageCache(1_000_000);
    const form = (token: string) => `<form><input name="_csrf" value="${token}">été</form><form><input name="_csrf" value="${token}"></form>`;
    const first = response('token-of-one', form('token-of-one'));
    await renderKeptPage(first.res, cache, 'v', 's', 'k', async () => ({ locals: {}, key: 'k' }));
    const second = response('token-of-two', 'unused');
    await renderKeptPage(second.res, cache, 'v', 's', 'k', async () => ({ locals: {}, key: 'k' }));
    const html = second.sent();
    expect(html).toBe(`<title>t</title><meta content="token-of-two"><main>${form('token-of-two')}</main>`);
    expect(html).not.toContain('token-of-one');
    expect(second.headers['content-type']).toBe('html');
    expect(second.headers['content-length']).toBe(Buffer.byteLength(html));
    expect(second.views).toEqual([{ pageFragment: { body: expect.stringMatching(/^<!--kept page /), title: 't' } }]);
  });
});
