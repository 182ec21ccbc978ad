// Pages kept rendered in this instance, and served again while what they show is unchanged.
//
// A page is kept for a slot (a household and the account viewing it) under a key that says what
// it was rendered from: the day, the household's stamp read in the same snapshot as its rows
// (src/platform/stamps.ts: triggers bump it in every transaction that changes a row the page
// shows), and whatever else of the request it shows. A request gives the current key (the
// household's stamp is read with the session's account, in the statement every request makes) and
// gets the kept page only if the keys are equal: a write from any instance or code path changes
// the stamp before it commits, so no instance serves a page older than what it would read, and
// nothing is ever cleared. Only the view's own part is kept: the layout (CSRF token, flash
// messages) is rendered for every request.
import type { Response } from 'express';

/** A view rendered without its layout, and the title it set (the layout shows it). */
export interface Fragment {
  body: string;
  title?: string;
}

interface Entry {
  key: string;
  fragment: Fragment;
  bytes: number;
}

/** Options of res.render that src/web/render.ts reads: serve this fragment, or hand the rendered one over. */
export interface FragmentOptions {
  pageFragment?: Fragment;
  keepFragment?: (fragment: Fragment) => void;
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

  get(slot: string, key: string): Fragment | undefined {
    this.reportIfDue();
    const entry = this.entries.get(slot);
    if (!entry || entry.key !== key) {
      this.counts[entry ? 'changed' : 'absent']++;
      return undefined;
    }
    this.counts.served++;
    this.entries.delete(slot);
    this.entries.set(slot, entry);
    return entry.fragment;
  }

  set(slot: string, key: string, fragment: Fragment): void {
    this.remove(slot);
    // UTF-16: two bytes a character, and the strings' own overhead.
    const bytes = 2 * (fragment.body.length + (fragment.title?.length ?? 0) + slot.length + key.length) + 200;
    if (bytes > this.maxBytes) return;
    this.entries.set(slot, { key, fragment, bytes });
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

/**
 * Renders `view` for `slot`: the kept page while `key` (the current one) is still its key, else
 * the view rendered from `read()`'s locals, kept under the key those locals were read with
 * (`read().key`, from the same snapshot as the rows: a write committed after `key` was read is in
 * the rows, and the page is kept under the key that says so).
 */
export async function renderKeptPage(
  res: Response,
  cache: PageCache,
  view: string,
  slot: string,
  key: string,
  read: () => Promise<{ locals: object; key: string }>,
): Promise<void> {
  const kept = cache.get(slot, key);
  if (kept) return res.render(view, { pageFragment: kept } satisfies FragmentOptions);
  const { locals, key: readKey } = await read();
  const keep: FragmentOptions = { keepFragment: (fragment) => cache.set(slot, readKey, fragment) };
  res.render(view, { ...locals, ...keep });
}
