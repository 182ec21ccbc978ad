// Pages kept rendered in this instance, and served again while what they show is unchanged.
//
// A page is kept for a slot (a household and the account viewing it) under a key that says what
// it was rendered from: the day, the household's version and the town's epoch read in the same
// snapshot as its rows (billing householdStampQuery: triggers bump them in every transaction that
// changes a row the page shows), and whatever else of the request it shows. A request first reads
// the current key (one small statement) and gets the kept page only if the keys are equal: a write
// from any instance or code path changes the key before it commits, so no instance serves a page
// older than what it would read, and nothing is ever cleared. Only the view's own part is kept:
// the layout (CSRF token, flash messages) is rendered for every request.
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

export class PageCache {
  /** In use order: the least recently used first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  has(slot: string): boolean {
    return this.entries.has(slot);
  }

  get(slot: string, key: string): Fragment | undefined {
    const entry = this.entries.get(slot);
    if (!entry || entry.key !== key) return undefined;
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
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(slot: string): void {
    const entry = this.entries.get(slot);
    if (!entry) return;
    this.entries.delete(slot);
    this.bytes -= entry.bytes;
  }
}

/**
 * Renders `view` for `slot`: the kept page while `currentKey()` is still its key, else the view
 * rendered from `read()`'s locals, kept under the key those locals were read with (`read().key`,
 * from the same snapshot as the rows: a write between the two reads leaves a page nobody will ask
 * for). With no page kept for the slot, the current key is not read.
 */
export async function renderKeptPage(
  res: Response,
  cache: PageCache,
  view: string,
  slot: string,
  currentKey: () => Promise<string>,
  read: () => Promise<{ locals: object; key: string }>,
): Promise<void> {
  const kept = cache.has(slot) ? cache.get(slot, await currentKey()) : undefined;
  if (kept) return res.render(view, { pageFragment: kept } satisfies FragmentOptions);
  const { locals, key: readKey } = await read();
  const keep: FragmentOptions = { keepFragment: (fragment) => cache.set(slot, readKey, fragment) };
  res.render(view, { ...locals, ...keep });
}
