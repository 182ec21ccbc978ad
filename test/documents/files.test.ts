// The file checks themselves, for names a browser never sends but a caller of the service could pass.
import { describe, expect, it } from 'vitest';
import { checkFile, contentDisposition, decodeUploadName, sanitizeName } from '../../src/documents/files.js';
import { pdf } from './fixtures/index.js';

describe('file names', () => {
  it('refuses NUL, control characters, bidi overrides and ../ segments', async () => {
    const data = await pdf();
    for (const name of [
      'evil\u0000.pdf',
      '../../etc/passwd.pdf',
      '..\\..\\boot.pdf',
      'a\u001b[31m.pdf',
      'facture\u202Efdp.pdf',
    ]) {
      await expect(checkFile({ buffer: data, originalname: name, size: data.length })).rejects.toMatchObject({
        problem: 'nameInvalid',
      });
    }
  });

  it('keeps a clean name, without path parts or control characters, at most 255 characters', () => {
    expect(sanitizeName('C:\\Users\\léa\\attestation.pdf')).toBe('attestation.pdf');
    expect(sanitizeName('dir/..hidden.pdf')).toBe('hidden.pdf');
    expect(sanitizeName('a\u0000b.pdf')).toBe('ab.pdf');
    expect(sanitizeName('x'.repeat(1000))).toHaveLength(255);
    expect(sanitizeName('')).toBe('document');
  });

  it('reads UTF-8 names the parser decoded as Latin-1', () => {
    expect(decodeUploadName(Buffer.from('été.pdf', 'utf8').toString('latin1'))).toBe('été.pdf');
    expect(decodeUploadName('été.pdf')).toBe('été.pdf');
  });

  it('builds an RFC 6266 Content-Disposition with an ASCII fallback', () => {
    expect(contentDisposition('inline', 'Attestation d’assurance - Léa - 2026-09-14.pdf')).toBe(
      'inline; filename="Attestation-d-assurance-Lea-2026-09-14.pdf"; filename*=UTF-8\'\'Attestation%20d%E2%80%99assurance%20-%20L%C3%A9a%20-%202026-09-14.pdf',
    );
    expect(contentDisposition('attachment', '"; evil=1\r\n.pdf')).toMatch(
      /^attachment; filename="evil-1-.pdf"; filename\*=UTF-8''%22%3B%20evil%3D1%0D%0A.pdf$/,
    );
  });
});
