// PDFs read with a parser: actions and attachments are found however they are written, while
// ordinary documents (text, images, plain web addresses in the text, owner-password protection) pass.
import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { checkPdf } from '../../src/documents/pdf-check.js';
import { pdf } from './fixtures/index.js';
import {
  classicPdf,
  ESCAPED_JAVASCRIPT,
  ESCAPED_LAUNCH,
  JAVASCRIPT_IN_OBJECT_STREAM,
  objectStreamPdf,
  OPEN_ACTION_URI,
} from './fixtures/pdf-builder.js';

function pdfkit(
  options: PDFKit.PDFDocumentOptions,
  draw: (doc: PDFKit.PDFDocument) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', ...options });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    draw(doc);
    doc.end();
  });
}

const JS_ACTION = '<< /S /JavaScript /JS (app.alert\\(1\\)) >>';

describe('PDFs that only show pages are accepted', () => {
  it('a generated document of several pages', async () => {
    expect(await checkPdf(await pdf(3))).toBe('ok');
  });

  it('a document whose text mentions web addresses (not links)', async () => {
    const data = await pdfkit({}, (doc) =>
      doc.text('Attestation CAF — voir https://www.caf.fr/ ou javascript: rien'),
    );
    expect(await checkPdf(data)).toBe('ok');
  });

  it('a document protected by an owner password (printing allowed, nothing compressed hidden)', async () => {
    const data = await pdfkit(
      { ownerPassword: 'mairie', permissions: { printing: 'highResolution' }, pdfVersion: '1.7' },
      (doc) => doc.text('Avis'),
    );
    expect(data.includes('/Encrypt')).toBe(true);
    expect(await checkPdf(data)).toBe('ok');
  });

  it('a hand-built PDF with an object stream holding plain objects', async () => {
    expect(await checkPdf(objectStreamPdf('/PageLabels 4 0 R', ['<< /Nums [0 << /S /D >>] >>']))).toBe('ok');
  });
});

describe('PDFs that act are refused, however they are written', () => {
  const active: [string, () => Buffer | Promise<Buffer> | string][] = [
    ['the four files of issue 21: escaped /Java#53cript', ESCAPED_JAVASCRIPT],
    ['… JavaScript in a compressed object stream', JAVASCRIPT_IN_OBJECT_STREAM],
    ['… escaped /L#61unch', ESCAPED_LAUNCH],
    ['… an open action to a URI', OPEN_ACTION_URI],
    [
      'a name escaped with lower-case hex digits (/#4aavaScript)',
      () => classicPdf('/OpenAction 4 0 R', ['<< /S /#4aavaScript /#4aS (x) >>']),
    ],
    [
      'JavaScript in the names tree, not the open action',
      () => classicPdf('/Names << /JavaScript 4 0 R >>', ['<< /Names [(a) 5 0 R] >>', JS_ACTION]),
    ],
    [
      'a page annotation that submits a form',
      () =>
        classicPdf('/AcroForm << /Fields [4 0 R] >>', [
          '<< /FT /Btn /T (ok) /A << /S /SubmitForm /F (https://evil.test) >> >>',
        ]),
    ],
    [
      'a link annotation to a web site',
      () =>
        classicPdf('', [
          '<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://evil.test) >> >>',
        ]),
    ],
    [
      'a go-to-remote-document action',
      () => classicPdf('/OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>'),
    ],
    ['an import-data action', () => classicPdf('/OpenAction << /S /ImportData /F (data.fdf) >>')],
    [
      'an embedded files name tree',
      () =>
        classicPdf('/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>', [
          '<< /Type /Filespec /F (a.exe) >>',
        ]),
    ],
    [
      'a file attachment annotation',
      () => classicPdf('', ['<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] >>']),
    ],
    [
      'an XFA form',
      () => classicPdf('/AcroForm << /Fields [] /XFA 4 0 R >>', ['<< /Length 0 >>\nstream\n\nendstream']),
    ],
    ['rich media', () => classicPdf('', ['<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>'])],
    [
      'an object a later copy replaced (a viewer may read the first)',
      () =>
        classicPdf('/OpenAction 4 0 R', [JS_ACTION])
          .toString('latin1')
          .replace('%%EOF\n', '%%EOF\n4 0 obj\n<< >>\nendobj\n%%EOF\n'),
    ],
    [
      'an object stream whose type is escaped so that the parser skips it',
      () => objectStreamPdf('/OpenAction 4 0 R', [JS_ACTION], { type: '/#4fbjStm' }),
    ],
    [
      'a link added by pdfkit',
      () => pdfkit({}, (doc) => doc.text('Cliquez ici', { link: 'https://evil.test/' })),
    ],
    ['a file attached by pdfkit', () => pdfkit({}, (doc) => doc.file(Buffer.from('MZ'), { name: 'a.exe' }))],
  ];
  for (const [name, build] of active) {
    it(name, async () => {
      const data = await build();
      expect(await checkPdf(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)).toBe('active');
    });
  }
});

describe('PDFs that cannot be read entirely are refused', () => {
  it('an object stream with a filter the parser cannot decode', async () => {
    expect(
      await checkPdf(objectStreamPdf('/OpenAction 4 0 R', [JS_ACTION], { filter: '/JBIG2Decode' })),
    ).toBe('damaged');
  });

  it('an encrypted object stream (its objects cannot be checked)', async () => {
    expect(await checkPdf(objectStreamPdf('/OpenAction 4 0 R', [JS_ACTION], { encrypted: true }))).toBe(
      'encrypted',
    );
  });

  it('a file with a broken object', async () => {
    expect(await checkPdf(classicPdf('', ['<< /A (unterminated >>']))).toBe('damaged');
  });

  it('a file without a catalog', async () => {
    expect(await checkPdf(Buffer.from('%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n'))).toBe(
      'damaged',
    );
  });
});
