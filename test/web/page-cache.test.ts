import { describe, expect, it } from 'vitest';
import type { Response } from 'express';
import { PageCache, renderKeptPage, type Fragment, type FragmentOptions, type PageCacheStats } from '../../src/web/page-cache.js';

const page = (chars: number, title = 't') => ({ body: 'x'.repeat(chars), title });

describe('PageCache', () => {
  it('gives a slot\'s page only under the key it was kept with, one page a slot', () => {
    const cache = new PageCache(1_000_000);
    cache.set('1:1', 'a', page(10));
    expect(cache.get('1:1', 'a')?.body).toBe('x'.repeat(10));
    expect(cache.get('1:1', 'b')).toBeUndefined();
    expect(cache.get('2:1', 'a')).toBeUndefined();
    cache.set('1:1', 'b', page(20));
    expect(cache.get('1:1', 'a')).toBeUndefined();
    expect(cache.get('1:1', 'b')?.body.length).toBe(20);
    expect(cache.size).toBe(1);
  });

  it('stays within its bytes, dropping the least recently used pages first', () => {
    // Each page of 1,000 characters counts ≈ 2,200 bytes: three fit in 7,000.
    const cache = new PageCache(7_000);
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
    const cache = new PageCache(5_000, { everyMs: 1000, now: () => now, log: (stats) => reports.push(stats) });
    cache.get('a', 'k'); // no page
    cache.set('a', 'k', page(1000));
    cache.get('a', 'k'); // kept
    cache.get('a', 'k2'); // changed
    cache.set('b', 'k', page(1000));
    cache.set('c', 'k', page(1000)); // over 5,000 bytes: a is dropped
    now = 999;
    cache.get('b', 'k');
    expect(reports).toEqual([]);
    now = 1000;
    cache.get('b', 'k'); // the report comes first: this view is in the next one
    expect(reports).toEqual([{ served: 2, absent: 1, changed: 1, dropped: 1, pages: 2, bytes: expect.any(Number) }]);
    expect(reports[0]!.bytes).toBeGreaterThan(4000);
    expect(cache.takeStats()).toMatchObject({ served: 1, absent: 0, changed: 0, dropped: 0, pages: 2 });
    now = 1500;
    cache.get('x', 'k');
    expect(reports).toHaveLength(1);
  });
});

describe('renderKeptPage', () => {
  /** A response whose render() hands over the fragment as the engine would (src/web/render.ts). */
  const response = (body: string) => {
    const rendered: FragmentOptions[] = [];
    const res = {
      render: (_view: string, options: FragmentOptions) => {
        rendered.push(options);
        options.keepFragment?.({ body, title: 't' } satisfies Fragment);
      },
    } as unknown as Response;
    return { res, rendered };
  };

  it('keeps a page under the key its rows were read with, not the request\'s', async () => {
    const cache = new PageCache(1_000_000);
    let reads = 0;
    // The request's key was k1; a change committed before the page's rows were read, at k2.
    const first = response('rows of k2');
    await renderKeptPage(first.res, cache, 'v', 's', 'k1', async () => (reads++, { locals: {}, key: 'k2' }));
    // The next request, at k2, gets that page without reading; one still at k1 would not.
    const second = response('unused');
    await renderKeptPage(second.res, cache, 'v', 's', 'k2', async () => (reads++, { locals: {}, key: 'k2' }));
    expect(reads).toBe(1);
    expect(second.rendered[0]?.pageFragment?.body).toBe('rows of k2');
    const third = response('rows of k1');
    await renderKeptPage(third.res, cache, 'v', 's', 'k1', async () => (reads++, { locals: {}, key: 'k1' }));
    expect(reads).toBe(2);
    expect(third.rendered[0]?.pageFragment).toBeUndefined();
  });
});
