// Pages kept rendered in this instance, and served again while what they show is unchanged.
//
// A page is kept for a slot (say, a household and the account viewing it) under a key that says
// what it was rendered from. For the parent dashboard: the day, the household's stamp read in the
// same snapshot as its rows (src/platform/stamps.ts: triggers bump it in every transaction that
// changes a row the page shows), and whatever else of the request it shows. For the attendance
// sheet: a fingerprint of the day's rows and a count of changes to the rest (staff-repository.ts
// sheetKey), read before its rows. A request gives the current key and gets the kept page only if
// the keys are equal: a write from any instance or code path changes the key before it commits, so
// no instance serves a page older than what it would read, and nothing is ever cleared.
//
// Only the view's own part is kept, as bytes: the layout (flash messages, the account's menu) is
// rendered for every request, and the view's CSRF tokens (its forms') are the session's own: the
// kept bytes are cut where the token was, and the viewer's token goes in between. A kept sheet
// (half a megabyte) is thus sent without turning it into bytes again, which was most of its CPU.
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { escapeHtml } from './render.js';

/** A view rendered without its layout, and the title it set (the layout shows it). */
export interface Fragment {
  body: string;
  title?: string;
}

/** A view's part as kept: its title, and its bytes cut where the CSRF token was (n tokens, n + 1 parts). */
export interface KeptPage {
  title?: string;
  parts: Buffer[];
}

/** The kept form of `fragment`, rendered for a session whose CSRF token is `token`. */
export function keptPageOf(fragment: Fragment, token: string | null | undefined): KeptPage {
  const pieces = token ? fragment.body.split(escapeHtml(token)) : [fragment.body];
  return { title: fragment.title, parts: pieces.map((piece) => Buffer.from(piece)) };
}

interface Entry {
  key: string;
  page: KeptPage;
  bytes: number;
}

/** Options of res.render that src/web/render.ts reads: serve this fragment, or hand the rendered one over. */
export interface FragmentOptions {
  pageFragment?: Fragment;
  keepFragment?: (fragment: Fragment) => void;
  layout?: false;
}

/** How a cache did since its last report: what decides whether its budget and the pages' first view deserve more work. */
export interface PageCacheStats {
  /** Views given the kept page. */
  served: number;
  /** Views rendered because no page was kept for their slot (first view, or dropped). */
  absent: number;
  /** Views rendered because what the kept page shows had changed. */
  changed: number;
  /** Pages dropped to stay within the budget. */
  dropped: number;
  /** Pages kept and their bytes, now. */
  pages: number;
  bytes: number;
}

export interface PageCacheReport {
  /** At most one report in this many milliseconds, at the first view after it (no timer). */
  everyMs: number;
  log: (stats: PageCacheStats) => void;
  /** Milliseconds now (the app's clock). */
  now: () => number;
}

export class PageCache {
  /** In use order: the least recently used first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private counts = { served: 0, absent: 0, changed: 0, dropped: 0 };
  private reportedAt: number | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly report?: PageCacheReport,
  ) {}

  get(slot: string, key: string): KeptPage | undefined {
    this.reportIfDue();
    const entry = this.entries.get(slot);
    if (!entry || entry.key !== key) {
      this.counts[entry ? 'changed' : 'absent']++;
      return undefined;
    }
    this.counts.served++;
    this.entries.delete(slot);
    this.entries.set(slot, entry);
    return entry.page;
  }

  set(slot: string, key: string, page: KeptPage): void {
    this.remove(slot);
    // The parts' bytes; the strings in UTF-16, two bytes a character; and the objects' overhead.
    const bytes = page.parts.reduce((sum, part) => sum + part.length + 100, 0) + 2 * ((page.title?.length ?? 0) + slot.length + key.length) + 200;
    if (bytes > this.maxBytes) return;
    this.entries.set(slot, { key, page, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
      this.counts.dropped++;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The counts since the last call (or since the start), and what is kept now. */
  takeStats(): PageCacheStats {
    const stats = { ...this.counts, pages: this.entries.size, bytes: this.bytes };
    this.counts = { served: 0, absent: 0, changed: 0, dropped: 0 };
    return stats;
  }

  private reportIfDue(): void {
    if (!this.report) return;
    const now = this.report.now();
    this.reportedAt ??= now;
    if (now - this.reportedAt < this.report.everyMs) return;
    this.reportedAt = now;
    this.report.log(this.takeStats());
  }

  private remove(slot: string): void {
    const entry = this.entries.get(slot);
    if (!entry) return;
    this.entries.delete(slot);
    this.bytes -= entry.bytes;
  }
}

/** res.render as a promise: the HTML, not sent. */
function renderHtml(res: Response, view: string, options: object): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, options, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? ''))));
}

/** Stands for the view's part in the layout rendered around a kept page: split out, never sent. */
const VIEW_MARK = `<!--kept page ${randomUUID()}-->`;

/** Sends a kept page in its layout, rendered for this request, with this session's CSRF token. */
async function sendKeptPage(res: Response, view: string, page: KeptPage): Promise<void> {
  const frame = (await renderHtml(res, view, { pageFragment: { body: VIEW_MARK, title: page.title } } satisfies FragmentOptions)).split(VIEW_MARK);
  if (frame.length !== 2) throw new Error(`the layout of ${view} must show its view once`);
  const token = Buffer.from(escapeHtml((res.locals.csrfToken as () => string)()));
  const chunks: Buffer[] = [Buffer.from(frame[0]!)];
  page.parts.forEach((part, i) => chunks.push(...(i ? [token, part] : [part])));
  chunks.push(Buffer.from(frame[1]!));
  // Written as they are (one writev), not joined: a half-megabyte copy per view was a third of
  // the kept sheet's CPU, in the garbage collector.
  res.type('html');
  res.setHeader('Content-Length', chunks.reduce((bytes, chunk) => bytes + chunk.length, 0));
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
}

/**
 * Renders `view` for `slot`: the kept page while `key` (the current one) is still its key, else
 * the view rendered from `read()`'s locals, kept under the key those locals were read with
 * (`read().key`: read in the same snapshot as the rows, or before them, so that a write committed
 * after it was read either shows in the rows or is not in the key, and the next view renders again).
 */
export async function renderKeptPage(
  res: Response,
  cache: PageCache,
  view: string,
  slot: string,
  key: string,
  read: () => Promise<{ locals: object; key: string }>,
): Promise<void> {
  let page = cache.get(slot, key);
  if (!page) {
    const { locals, key: readKey } = await read();
    let fragment: Fragment | undefined;
    await renderHtml(res, view, { ...locals, layout: false, keepFragment: (rendered) => (fragment = rendered) } satisfies FragmentOptions);
    page = keptPageOf(fragment!, (res.locals.csrfToken as () => string)());
    cache.set(slot, readKey, page);
  }
  await sendKeptPage(res, view, page);
}
