// Parents upload documents: every accepted kind, several pages, prefilled links from other
// features, replacing and deleting. Files are checked by content and stored under generated keys.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFamily, loginAs, type Browser } from '../support/index.js';
import { JPEG, pdf, png, WEBP } from './fixtures/index.js';
import { createDocsContext, type DocsContext } from './helpers.js';

let ctx: DocsContext;
beforeAll(async () => {
  ctx = await createDocsContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

async function family(children = [{ firstName: 'Léa' }]) {
  const f = await createFamily(ctx.deps, children);
  return { ...f, browser: await loginAs(ctx, f.parent) };
}

const latestDocument = (householdId: number) =>
  ctx.db('documents').where({ household_id: householdId }).orderBy('id', 'desc').first();

describe('uploading a document', () => {
  it('the vault page offers the form with the seeded types', async () => {
    const { browser } = await family();
    const res = await browser.get('/documents');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Mes documents</h1>');
    expect(res.text).toContain('enctype="multipart/form-data"');
    for (const code of [
      'caf_attestation',
      'insurance',
      'vaccinations',
      'proof_of_address',
      'tax_notice',
      'pai',
      'custody_judgment',
      'medical_certificate',
    ]) {
      expect(res.text).toContain(`value="${code}"`);
    }
    // The CSRF token comes before the file input (multipart forms are parsed in order).
    expect(res.text.indexOf('name="_csrf"', res.text.indexOf('multipart/form-data'))).toBeLessThan(
      res.text.indexOf('type="file"'),
    );
  });

  const kinds: [string, () => Promise<Buffer> | Buffer, string, string][] = [
    ['a PDF', () => pdf(1), 'attestation.pdf', 'application/pdf'],
    ['a JPEG (.jpg)', () => JPEG, 'photo.jpg', 'image/jpeg'],
    ['a JPEG (.JPEG, upper case)', () => JPEG, 'IMG_0042.JPEG', 'image/jpeg'],
    ['a PNG', () => png(16, 16), 'scan.png', 'image/png'],
    ['a WebP', () => WEBP, 'photo.webp', 'image/webp'],
  ];
  for (const [label, make, name, mime] of kinds) {
    it(`accepts ${label}: stored under a generated key, pending, with its original name as metadata`, async () => {
      const { browser, household } = await family();
      const content = await make();
      const before = ctx.storedFiles().length;
      const res = await browser.upload(
        '/documents',
        { type: 'caf_attestation', member_id: '', valid_until: '' },
        [{ content, filename: name }],
        { from: '/documents' },
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/documents');
      const doc = await latestDocument(household.id);
      expect(doc).toMatchObject({
        status: 'pending',
        member_id: null,
        uploaded_by_staff: false,
        valid_until: '2026-12-14',
      });
      const [file] = await ctx.db('document_files').where({ document_id: doc.id });
      expect(file).toMatchObject({
        position: 1,
        original_name: name,
        mime_type: mime,
        size_bytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
      });
      expect(file.storage_key).toMatch(/^[0-9a-f-]{36}$/);
      expect(file.storage_key).not.toContain(name);
      expect(ctx.storedFiles()).toHaveLength(before + 1);
      expect(await ctx.deps.storage.get(file.storage_key)).toEqual(content);
      const page = await browser.get('/documents');
      expect(page.text).toContain('Votre document est déposé');
      expect(page.text).toContain('en attente de vérification');
    });
  }

  it('a five-page document: five photos become one document with five pages, in order', async () => {
    const { browser, household } = await family();
    const child = household.children[0]!;
    const pages = [png(8, 8), JPEG, png(9, 9), WEBP, await pdf(5)];
    const res = await browser.upload(
      '/documents',
      { type: 'vaccinations', member_id: String(child.id) },
      pages.map((content, i) => ({
        content,
        filename: `carnet-${i + 1}.${['png', 'jpg', 'png', 'webp', 'pdf'][i]}`,
      })),
      { from: '/documents' },
    );
    expect(res.status).toBe(303);
    const doc = await latestDocument(household.id);
    expect(doc).toMatchObject({ member_id: child.id, valid_until: null });
    const files = await ctx.db('document_files').where({ document_id: doc.id }).orderBy('position');
    expect(files.map((f) => f.original_name)).toEqual([
      'carnet-1.png',
      'carnet-2.jpg',
      'carnet-3.png',
      'carnet-4.webp',
      'carnet-5.pdf',
    ]);
    for (const [i, f] of files.entries()) expect(await ctx.deps.storage.get(f.storage_key)).toEqual(pages[i]);
    const page5 = await browser.get(`/documents/${doc.id}/file/5`);
    expect(page5.status).toBe(200);
    expect(page5.headers['content-type']).toBe('application/pdf');
  });

  it('a five-page PDF is one file', async () => {
    const { browser, household } = await family();
    const content = await pdf(5, 'Jugement');
    const res = await browser.upload(
      '/documents',
      { type: 'custody_judgment' },
      [{ content, filename: 'jugement.pdf' }],
      { from: '/documents' },
    );
    expect(res.status).toBe(303);
    const doc = await latestDocument(household.id);
    expect(await ctx.db('document_files').where({ document_id: doc.id })).toHaveLength(1);
    expect(content.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(5);
  });

  it('default validity by type: insurance until 31 August of the school year; a date given by the parent wins', async () => {
    const { browser, household } = await family();
    const child = household.children[0]!;
    await browser.upload(
      '/documents',
      { type: 'insurance', member_id: String(child.id) },
      [{ content: await pdf(), filename: 'assurance.pdf' }],
      { from: '/documents' },
    );
    expect((await latestDocument(household.id)).valid_until).toBe('2027-08-31');
    await browser.upload(
      '/documents',
      { type: 'tax_notice', valid_until: '2027-06-30' },
      [{ content: await pdf(), filename: 'impots.pdf' }],
      { from: '/documents' },
    );
    expect((await latestDocument(household.id)).valid_until).toBe('2027-06-30');
  });

  it('a name with path parts is stored without them (browsers send the bare name; the key is generated)', async () => {
    const { browser, household } = await family();
    const res = await browser.upload(
      '/documents',
      { type: 'caf_attestation' },
      [{ content: await pdf(), filename: 'Mes documents/attestation été.pdf' }],
      { from: '/documents' },
    );
    expect(res.status).toBe(303);
    const doc = await latestDocument(household.id);
    const [file] = await ctx.db('document_files').where({ document_id: doc.id });
    expect(file.original_name).toBe('attestation été.pdf');
  });
});

describe('links from other features (type, member, return_to)', () => {
  it('prefills the form and goes back to the local return path after success', async () => {
    const { browser, household } = await family();
    const child = household.children[0]!;
    const page = await browser.get(
      `/documents?type=medical_certificate&member=${child.id}&return_to=${encodeURIComponent('/reservations/sick?day=2026-09-20')}`,
    );
    expect(page.text).toMatch(/<option value="medical_certificate" selected>/);
    expect(page.text).toMatch(new RegExp(`<option value="${child.id}" selected>`));
    expect(page.text).toContain('name="return_to" value="/reservations/sick?day=2026-09-20"');
    const res = await browser.upload(
      '/documents',
      {
        type: 'medical_certificate',
        member_id: String(child.id),
        return_to: '/reservations/sick?day=2026-09-20',
      },
      [{ content: await pdf(), filename: 'certificat.pdf' }],
      { csrf: browser.token },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/reservations/sick?day=2026-09-20');
  });

  it('an outside return_to is ignored', async () => {
    const { browser } = await family();
    const page = await browser.get('/documents?return_to=https://evil.test/');
    expect(page.text).not.toContain('evil.test');
    const res = await browser.upload(
      '/documents',
      { type: 'tax_notice', return_to: '//evil.test/x' },
      [{ content: await pdf(), filename: 'avis.pdf' }],
      { from: '/documents' },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/documents');
  });
});

describe('replacing and deleting', () => {
  async function uploaded(browser: Browser, householdId: number, type = 'proof_of_address') {
    await browser.upload('/documents', { type }, [{ content: await pdf(1, type), filename: `${type}.pdf` }], {
      from: '/documents',
    });
    return latestDocument(householdId);
  }

  it('a new version replaces the old one, which stays for staff', async () => {
    const { browser, household } = await family();
    const old = await uploaded(browser, household.id);
    await ctx.db('documents').where({ id: old.id }).update({ status: 'accepted' });
    const form = await browser.get(`/documents?replace=${old.id}`);
    expect(form.text).toContain('Remplacer un document');
    const res = await browser.upload(
      '/documents',
      { type: 'proof_of_address', replaces_id: String(old.id) },
      [{ content: await pdf(1, 'v2'), filename: 'v2.pdf' }],
      { csrf: browser.token },
    );
    expect(res.status).toBe(303);
    const fresh = await latestDocument(household.id);
    expect(fresh).toMatchObject({ replaces_id: old.id, status: 'pending' });
    expect((await ctx.db('documents').where({ id: old.id }).first()).superseded_at).not.toBeNull();
    const vault = await browser.get('/documents');
    expect(vault.text).toContain(`/documents/${fresh.id}/file/1`);
    expect(vault.text).not.toContain(`/documents/${old.id}/file/1`);
  });

  it('replacing a document of another household is refused and changes nothing', async () => {
    const a = await family();
    const b = await family();
    const theirs = await uploaded(b.browser, b.household.id);
    const before = await ctx.counts();
    const res = await a.browser.upload(
      '/documents',
      { type: 'proof_of_address', replaces_id: String(theirs.id) },
      [{ content: await pdf(), filename: 'x.pdf' }],
      { from: '/documents' },
    );
    expect(res.status).toBe(422);
    expect(await ctx.counts()).toEqual(before);
    expect((await ctx.db('documents').where({ id: theirs.id }).first()).superseded_at).toBeNull();
  });

  it('a pending document can be deleted (rows and file); an accepted one cannot', async () => {
    const { browser, household } = await family();
    const doc = await uploaded(browser, household.id);
    const [file] = await ctx.db('document_files').where({ document_id: doc.id });
    const res = await browser.post(`/documents/${doc.id}/delete`, {}, { from: '/documents' });
    expect(res.status).toBe(303);
    expect(await ctx.db('documents').where({ id: doc.id }).first()).toBeUndefined();
    expect(await ctx.deps.storage.exists(file.storage_key)).toBe(false);

    const accepted = await uploaded(browser, household.id);
    await ctx.db('documents').where({ id: accepted.id }).update({ status: 'accepted' });
    await browser.post(`/documents/${accepted.id}/delete`, {}, { from: '/documents' });
    expect(await ctx.db('documents').where({ id: accepted.id }).first()).toMatchObject({
      status: 'accepted',
      deleted_at: null,
    });
    expect((await browser.get('/documents')).text).toContain(
      'Seul un document en attente de vérification peut être supprimé',
    );
  });

  it("another household's document cannot be deleted (404)", async () => {
    const a = await family();
    const b = await family();
    const theirs = await uploaded(b.browser, b.household.id);
    const res = await a.browser.post(`/documents/${theirs.id}/delete`, {}, { from: '/documents' });
    expect(res.status).toBe(404);
    expect(await ctx.db('documents').where({ id: theirs.id }).first()).toBeTruthy();
  });
});
