// EJS with a layout: every view is rendered into views/layouts/<layout>.ejs (default "main")
// unless it sets `layout: false` (emails, printable pages with their own layout).
import path from 'node:path';
import ejs from 'ejs';
import type { Express } from 'express';
import { VIEWS_DIR } from '../platform/paths.js';

type EngineCallback = (err: Error | null, html?: string) => void;

const ESCAPED = /[&<>'"]/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * Text for an HTML text node or a quoted attribute value: what `<%= %>` writes (ejs's escapeXML,
 * the same output, without its replace() when there is nothing to escape: most values, ≈ 2.7 % of
 * the staff search page's CPU), and the parts of views written without EJS (the attendance sheet's
 * rows, the month calendars).
 */
export function escapeHtml(value: unknown): string {
  const text = String(value ?? '');
  return ESCAPED.test(text) ? text.replace(/[&<>'"]/g, (c) => ESCAPES[c]!) : text;
}

export function setUpViews(app: Express, production: boolean): void {
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  if (production) app.enable('view cache');
  app.engine('ejs', (file: string, options: object, cb: EngineCallback) => {
    const opts = options as Record<string, unknown>;
    // `root`: an include written from the views folder (`include('/partials/header')`) is found
    // without the disk check ejs makes for a relative one (a stat() per include per page).
    // compileDebug off in production: no line bookkeeping in every template (an error is still
    // logged, without the template's line; development keeps it).
    const ejsOpts = { cache: production, compileDebug: !production, escape: escapeHtml, filename: file, views: [VIEWS_DIR], root: VIEWS_DIR, async: false };
    ejs.renderFile(file, opts, ejsOpts, (err, body = '') => {
      if (err) return cb(err);
      // The view sets `locals.title` for the layout.
      if (opts.layout === false) return cb(null, body);
      const layout = path.join(VIEWS_DIR, 'layouts', `${typeof opts.layout === 'string' ? opts.layout : 'main'}.ejs`);
      ejs.renderFile(layout, { ...opts, body }, ejsOpts, cb);
    });
  });
}
