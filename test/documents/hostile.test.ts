// A hostile corpus: every file and every forged form is refused with a clear message, the form
// keeps its values, and nothing is stored (no row, no file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFamily, loginAs, type Browser } from '../support/index.js';
import { EXE, ELF, GIF, HEIC, HTML, JPEG, pdf, png, SVG, SVG_BARE, WEBP, zip } from './fixtures/index.js';
import {
  ESCAPED_JAVASCRIPT,
  ESCAPED_LAUNCH,
  JAVASCRIPT_IN_OBJECT_STREAM,
  OPEN_ACTION_URI,
} from './fixtures/pdf-builder.js';
import { createDocsContext, type DocsContext } from './helpers.js';

let ctx: DocsContext;
let browser: Browser;
let otherChildId: number;
let goodPdf: Buffer;

beforeAll(async () => {
  ctx = await createDocsContext({ now: '2026-09-14T08:00:00Z' });
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  expect(household.children).toHaveLength(1);
  otherChildId = (await createFamily(ctx.deps, [{ firstName: 'Autre' }])).household.children[0]!.id;
  browser = await loginAs(ctx, parent);
  goodPdf = await pdf(2);
  await ctx.db('document_types').insert({
    code: 'retired',
    name: 'Ancien type',
    scope: 'household',
    validity_rule: 'none',
    active: false,
  });
});
afterAll(async () => ctx?.close());

type File = { content: Buffer; filename: string; contentType?: string };
interface Case {
  name: string;
  fields?: Record<string, string>;
  files: () => File[];
  /** Part of the French message shown on the form. */
  message: string;
  status?: number;
}

const unescape = (html: string) =>
  html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const f = (content: Buffer, filename: string, contentType?: string): File => ({
  content,
  filename,
  contentType,
});
const pdfWith = (extra: string) =>
  Buffer.concat([
    Buffer.from('%PDF-1.7\n'),
    Buffer.from(extra),
    Buffer.from('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  ]);

const corpus: Case[] = [
  {
    name: 'an executable renamed .pdf',
    files: () => [f(EXE, 'attestation.pdf', 'application/pdf')],
    message: "n'est pas accepté",
  },
  {
    name: 'an ELF binary renamed .jpg',
    files: () => [f(ELF, 'photo.jpg', 'image/jpeg')],
    message: "n'est pas accepté",
  },
  {
    name: 'HTML with a script, named .pdf',
    files: () => [f(HTML, 'facture.pdf', 'application/pdf')],
    message: "n'est pas accepté",
  },
  {
    name: 'HTML with a script, named .html',
    files: () => [f(HTML, 'page.html', 'text/html')],
    message: "n'est pas accepté",
  },
  {
    name: 'SVG with a script',
    files: () => [f(SVG, 'logo.svg', 'image/svg+xml')],
    message: "n'est pas accepté",
  },
  {
    name: 'SVG without XML header, renamed .png',
    files: () => [f(SVG_BARE, 'scan.png', 'image/png')],
    message: "n'est pas accepté",
  },
  {
    name: 'a PDF with a JPEG extension',
    files: () => [f(goodPdf, 'photo.jpg', 'image/jpeg')],
    message: 'ne correspond pas à son extension',
  },
  {
    name: 'a JPEG with a PDF extension',
    files: () => [f(JPEG, 'attestation.pdf', 'application/pdf')],
    message: 'ne correspond pas à son extension',
  },
  {
    name: 'a PNG with a JPEG extension',
    files: () => [f(png(), 'scan.jpg', 'image/jpeg')],
    message: 'ne correspond pas à son extension',
  },
  {
    name: 'a WebP named .png',
    files: () => [f(WEBP, 'photo.png', 'image/png')],
    message: 'ne correspond pas à son extension',
  },
  {
    name: 'a valid PDF without extension',
    files: () => [f(goodPdf, 'attestation')],
    message: 'ne correspond pas à son extension',
  },
  {
    name: 'a double extension .jpg.exe',
    files: () => [f(JPEG, 'photo.jpg.exe')],
    message: 'ne correspond pas à son extension',
  },
  {
    name: 'an empty file',
    files: () => [f(Buffer.alloc(0), 'vide.pdf', 'application/pdf')],
    message: 'est vide',
  },
  {
    name: 'a file of 10 MB + 1 byte',
    files: () => [
      f(Buffer.concat([goodPdf, Buffer.alloc(10 * 1024 * 1024 + 1 - goodPdf.length, 0x20)]), 'gros.pdf'),
    ],
    message: 'dépasse 10 Mo',
  },
  {
    name: 'six files',
    files: () => Array.from({ length: 6 }, (_, i) => f(png(), `page-${i}.png`, 'image/png')),
    message: '5 fichiers au plus',
  },
  {
    name: 'a name with ../ and NUL',
    files: () => [f(goodPdf, '../../../etc/cron.d/evil\u0000.pdf')],
    message: 'caractères interdits',
  },
  {
    name: 'a name with a right-to-left override hiding .exe',
    files: () => [f(goodPdf, 'facture\u202Efdp.pdf')],
    message: 'caractères interdits',
  },
  {
    name: 'a 1,000-character name',
    files: () => [f(goodPdf, `${'a'.repeat(996)}.pdf`)],
    message: 'trop long',
  },
  {
    name: 'a ZIP archive',
    files: () => [f(zip(), 'documents.zip', 'application/zip')],
    message: "n'est pas accepté",
  },
  {
    name: 'a ZIP renamed .pdf',
    files: () => [f(zip(), 'attestation.pdf', 'application/pdf')],
    message: "n'est pas accepté",
  },
  {
    name: 'a polyglot PDF + ZIP (archive appended)',
    files: () => [f(Buffer.concat([goodPdf, zip('evil.jar')]), 'attestation.pdf')],
    message: 'éléments actifs',
  },
  {
    name: 'a polyglot JPEG + HTML script',
    files: () => [f(Buffer.concat([JPEG, Buffer.from('<script>alert(1)</script>')]), 'photo.jpg')],
    message: 'éléments actifs',
  },
  {
    name: 'a polyglot GIF-like JPEG with PHP',
    files: () => [
      f(
        Buffer.concat([JPEG.subarray(0, 20), Buffer.from('<?php system($_GET["c"]); ?>'), JPEG.subarray(20)]),
        'photo.jpg',
      ),
    ],
    message: 'éléments actifs',
  },
  {
    name: 'a polyglot PNG + ZIP after IEND',
    files: () => [f(Buffer.concat([png(), zip()]), 'scan.png')],
    message: 'éléments actifs',
  },
  {
    name: 'a PNG with data after IEND',
    files: () => [f(Buffer.concat([png(), Buffer.from('trailing garbage')]), 'scan.png')],
    message: 'endommagé',
  },
  {
    name: 'a PDF with JavaScript',
    files: () => [
      f(
        pdfWith('1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj'),
        'attestation.pdf',
      ),
    ],
    message: 'éléments actifs',
  },
  {
    name: 'a PDF with a Launch action',
    files: () => [
      f(pdfWith('1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj'), 'attestation.pdf'),
    ],
    message: 'éléments actifs',
  },
  {
    name: 'a PDF with an embedded file',
    files: () => [
      f(
        pdfWith('1 0 obj << /Type /EmbeddedFile /Length 4 >> stream\nMZ..\nendstream endobj'),
        'attestation.pdf',
      ),
    ],
    message: 'éléments actifs',
  },
  // Issue 21: what a text search let through (names escaped, or the action compressed).
  {
    name: 'a PDF whose open action is JavaScript with escaped names (/Java#53cript, /J#53)',
    files: () => [f(ESCAPED_JAVASCRIPT(), 'attestation.pdf')],
    message: 'éléments actifs',
  },
  {
    name: 'a PDF whose JavaScript open action is inside a compressed object stream',
    files: () => [f(JAVASCRIPT_IN_OBJECT_STREAM(), 'attestation.pdf')],
    message: 'éléments actifs',
  },
  {
    name: 'a PDF with an escaped Launch action (/L#61unch)',
    files: () => [f(ESCAPED_LAUNCH(), 'attestation.pdf')],
    message: 'éléments actifs',
  },
  {
    name: 'a PDF whose open action goes to a URI',
    files: () => [f(OPEN_ACTION_URI(), 'attestation.pdf')],
    message: 'éléments actifs',
  },
  {
    name: 'a truncated PDF (no %%EOF)',
    files: () => [f(goodPdf.subarray(0, Math.floor(goodPdf.length / 2)), 'attestation.pdf')],
    message: 'endommagé',
  },
  {
    name: 'a PDF header after leading garbage',
    files: () => [f(Buffer.concat([Buffer.from('<html>'), goodPdf]), 'attestation.pdf')],
    message: "n'est pas accepté",
  },
  { name: 'a GIF', files: () => [f(GIF, 'image.gif', 'image/gif')], message: "n'est pas accepté" },
  { name: 'a HEIC photo', files: () => [f(HEIC, 'IMG_0001.heic', 'image/heic')], message: 'HEIC' },
  {
    name: 'a plain text file',
    files: () => [f(Buffer.from('hello'), 'note.txt', 'text/plain')],
    message: "n'est pas accepté",
  },
  {
    name: 'JSON named .pdf',
    files: () => [f(Buffer.from('{"a":1}'), 'data.pdf')],
    message: "n'est pas accepté",
  },
  {
    name: 'one good file and one bad file (all or nothing)',
    files: () => [f(goodPdf, 'ok.pdf'), f(EXE, 'bad.pdf')],
    message: "n'est pas accepté",
  },
  { name: 'no file at all', files: () => [], message: 'Choisissez au moins un fichier' },
  {
    name: 'a member_id of another household',
    fields: { type: 'insurance', member_id: '__other__' },
    files: () => [f(goodPdf, 'assurance.pdf')],
    message: 'Choisissez une personne de la liste',
  },
  {
    name: 'a member_id that does not exist',
    fields: { type: 'insurance', member_id: '999999999' },
    files: () => [f(goodPdf, 'assurance.pdf')],
    message: 'Choisissez une personne de la liste',
  },
  {
    name: 'a member_id that is not a number',
    fields: { type: 'insurance', member_id: '1 OR 1=1' },
    files: () => [f(goodPdf, 'assurance.pdf')],
    message: 'Choisissez une personne de la liste',
    status: 400,
  },
  {
    name: 'a child document without the child',
    fields: { type: 'insurance', member_id: '' },
    files: () => [f(goodPdf, 'assurance.pdf')],
    message: "Choisissez l'enfant concerné",
  },
  {
    name: 'a type that does not exist',
    fields: { type: 'passport', member_id: '' },
    files: () => [f(goodPdf, 'passeport.pdf')],
    message: 'Choisissez un type de document de la liste',
  },
  {
    name: 'an inactive type',
    fields: { type: 'retired', member_id: '' },
    files: () => [f(goodPdf, 'x.pdf')],
    message: 'Choisissez un type de document de la liste',
  },
  {
    name: 'no type',
    fields: { type: '', member_id: '' },
    files: () => [f(goodPdf, 'x.pdf')],
    message: 'Choisissez le type de document',
    status: 400,
  },
  {
    name: 'an end of validity in the past',
    fields: { type: 'caf_attestation', valid_until: '2026-01-01' },
    files: () => [f(goodPdf, 'caf.pdf')],
    message: 'déjà passée',
  },
  {
    name: 'an impossible date',
    fields: { type: 'caf_attestation', valid_until: '2026-02-31' },
    files: () => [f(goodPdf, 'caf.pdf')],
    message: 'Saisissez une date valide',
    status: 400,
  },
];

describe('the hostile corpus is refused with nothing stored', () => {
  it('has at least 30 files', () => expect(corpus.length).toBeGreaterThanOrEqual(30));

  for (const c of corpus) {
    it(`refuses ${c.name}`, async () => {
      const before = await ctx.counts();
      const stored = ctx.storedFiles();
      const fields = { type: 'caf_attestation', member_id: '', valid_until: '', ...c.fields };
      if (fields.member_id === '__other__') fields.member_id = String(otherChildId);
      const res = await browser.upload('/documents', fields, c.files(), { from: '/documents' });
      expect(res.status).toBe(c.status ?? 422);
      expect(res.text).toContain('Il y a un problème');
      expect(unescape(res.text)).toContain(c.message);
      // The other fields are kept.
      if (fields.type && !['passport', 'retired'].includes(fields.type))
        expect(res.text).toMatch(new RegExp(`<option value="${fields.type}" selected>`));
      if (fields.valid_until) expect(res.text).toContain(`value="${fields.valid_until}"`);
      expect(await ctx.counts()).toEqual(before);
      expect(ctx.storedFiles()).toEqual(stored);
    });
  }

  it('the message about another household is the same as for a bad value (nothing leaks)', async () => {
    const theirs = await browser.upload(
      '/documents',
      { type: 'insurance', member_id: String(otherChildId) },
      [f(goodPdf, 'a.pdf')],
      { from: '/documents' },
    );
    const bogus = await browser.upload(
      '/documents',
      { type: 'insurance', member_id: '999999999' },
      [f(goodPdf, 'a.pdf')],
      { from: '/documents' },
    );
    const message = (html: string) =>
      html.match(/<p class="field__error" id="member_id-error">([\s\S]*?)<\/p>/)?.[1];
    expect(message(theirs.text)).toBeTruthy();
    expect(message(theirs.text)).toBe(message(bogus.text));
  });

  it('a missing CSRF token is refused (403) and stores nothing', async () => {
    const before = await ctx.counts();
    const stored = ctx.storedFiles();
    const res = await browser.upload('/documents', { type: 'caf_attestation' }, [f(goodPdf, 'caf.pdf')], {
      csrf: null,
    });
    expect(res.status).toBe(403);
    expect(await ctx.counts()).toEqual(before);
    expect(ctx.storedFiles()).toEqual(stored);
  });

  it('a wrong CSRF token is refused (403) and stores nothing', async () => {
    const before = await ctx.counts();
    const res = await browser.upload('/documents', { type: 'caf_attestation' }, [f(goodPdf, 'caf.pdf')], {
      csrf: 'forged-token',
    });
    expect(res.status).toBe(403);
    expect(await ctx.counts()).toEqual(before);
  });

  it('a file sent under another field name is refused', async () => {
    await browser.get('/documents');
    const before = await ctx.counts();
    const res = await browser.agent
      .post('/documents')
      .field('_csrf', browser.token)
      .field('type', 'caf_attestation')
      .attach('document', goodPdf, 'caf.pdf');
    expect(res.status).toBe(422);
    expect(await ctx.counts()).toEqual(before);
  });

  it('a visitor cannot upload (sent to the login page, nothing stored)', async () => {
    const before = await ctx.counts();
    const { Browser } = await import('../support/index.js');
    const visitor = new Browser(ctx.app);
    await visitor.get('/login');
    const res = await visitor.upload('/documents', { type: 'caf_attestation' }, [f(goodPdf, 'caf.pdf')], {
      csrf: visitor.token,
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
    expect(await ctx.counts()).toEqual(before);
  });

  it('when the database refuses the rows, the files already written are removed', async () => {
    await ctx.db.raw(
      `CREATE FUNCTION refuse_pages() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`,
    );
    await ctx.db.raw(
      'CREATE TRIGGER refuse_pages BEFORE INSERT ON document_files FOR EACH ROW EXECUTE FUNCTION refuse_pages()',
    );
    try {
      const before = await ctx.counts();
      const stored = ctx.storedFiles();
      const res = await browser.upload(
        '/documents',
        { type: 'caf_attestation' },
        [f(goodPdf, 'a.pdf'), f(png(), 'b.png')],
        { from: '/documents' },
      );
      expect(res.status).toBe(500);
      expect(await ctx.counts()).toEqual(before);
      expect(ctx.storedFiles()).toEqual(stored);
    } finally {
      await ctx.db.raw('DROP TRIGGER refuse_pages ON document_files');
      await ctx.db.raw('DROP FUNCTION refuse_pages()');
    }
  });
});
