// EJS with a layout: every view is rendered into views/layouts/<layout>.ejs (default "main")
// unless it sets `layout: false` (emails, printable pages with their own layout).
import path from 'node:path';
import ejs from 'ejs';
import type { Express } from 'express';
import { VIEWS_DIR } from '../platform/paths.js';

type EngineCallback = (err: Error | null, html?: string) => void;

export function setUpViews(app: Express, production: boolean): void {
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  if (production) app.enable('view cache');
  app.engine('ejs', (file: string, options: object, cb: EngineCallback) => {
    const opts = options as Record<string, unknown>;
    // `root`: includes are written from the views folder (`include('/partials/header')`);
    // compileDebug only outside production (an error there is logged without the template's line).
    const ejsOpts = {
      cache: production,
      compileDebug: !production,
      filename: file,
      views: [VIEWS_DIR],
      root: VIEWS_DIR,
      async: false,
    };
    ejs.renderFile(file, opts, ejsOpts, (err, body = '') => {
      if (err) return cb(err);
      // The view sets `locals.title` for the layout.
      if (opts.layout === false) return cb(null, body);
      const layout = path.join(
        VIEWS_DIR,
        'layouts',
        `${typeof opts.layout === 'string' ? opts.layout : 'main'}.ejs`,
      );
      ejs.renderFile(layout, { ...opts, body }, ejsOpts, cb);
    });
  });
}
