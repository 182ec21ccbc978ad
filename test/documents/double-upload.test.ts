// Issue 21: a double-clicked upload stored the same document twice, both awaiting review. The
// second identical request (same household, type, child and files, the first still pending) gets
// the first one's result and stores nothing, also when both run at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFamily, loginAs } from '../support/index.js';
import { pdf, png } from './fixtures/index.js';
import { createDocsContext, type DocsContext } from './helpers.js';

let ctx: DocsContext;
beforeAll(async () => {
  ctx = await createDocsContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

async function family(children = [{ firstName: 'Léa' }, { firstName: 'Tom' }]) {
  const f = await createFamily(ctx.deps, children);
  return { ...f, browser: await loginAs(ctx, f.parent) };
}

const documentsOf = (householdId: number) =>
  ctx.db('documents').where({ household_id: householdId }).orderBy('id');
const auditCount = async (action: string) =>
  Number((await ctx.db('audit_events').where({ action }).count({ n: '*' }).first())!.n);

describe('the same upload twice', () => {
  it('two identical uploads at the same time store one document; both answers lead to the same page', async () => {
    const { browser, household } = await family();
    const content = await pdf(2, 'Attestation CAF');
    await browser.get('/documents');
    const storedBefore = ctx.storedFiles().length;
    const auditsBefore = await auditCount('documents.uploaded');
    const send = () =>
      browser.upload(
        '/documents',
        { type: 'caf_attestation', member_id: '', valid_until: '' },
        [{ content, filename: 'caf.pdf' }],
        { csrf: browser.token },
      );
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe('/documents');
    expect(b.headers.location).toBe('/documents');
    const docs = await documentsOf(household.id);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ status: 'pending' });
    expect(await ctx.db('document_files').where({ document_id: docs[0].id })).toHaveLength(1);
    expect(ctx.storedFiles()).toHaveLength(storedBefore + 1);
    expect(await auditCount('documents.uploaded')).toBe(auditsBefore + 1);
    const page = await browser.get('/documents');
    expect(page.text).toContain('Votre document est déposé');
  });

  it('five at once (a nervous double, triple… click), with a return path: one document', async () => {
    const { browser, household } = await family();
    const content = png(8, 8);
    await browser.get('/documents');
    const send = () =>
      browser.upload(
        '/documents',
        {
          type: 'insurance',
          member_id: String(household.children[1]!.id),
          valid_until: '',
          return_to: '/enrolments',
        },
        [{ content, filename: 'assurance.png' }],
        { csrf: browser.token },
      );
    const answers = await Promise.all(Array.from({ length: 5 }, send));
    expect(answers.map((r) => [r.status, r.headers.location])).toEqual(
      Array.from({ length: 5 }, () => [303, '/enrolments']),
    );
    expect(await documentsOf(household.id)).toHaveLength(1);
  });

  it('sent again after the first finished: nothing new; the first stays pending', async () => {
    const { browser, household } = await family();
    const content = await pdf(1, 'Justificatif');
    const first = await browser.upload(
      '/documents',
      { type: 'proof_of_address' },
      [{ content, filename: 'edf.pdf' }],
      { from: '/documents' },
    );
    const again = await browser.upload(
      '/documents',
      { type: 'proof_of_address' },
      [{ content, filename: 'edf (1).pdf' }],
      { from: '/documents' },
    );
    expect([first.status, again.status]).toEqual([303, 303]);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await documentsOf(household.id)).toHaveLength(1);
  });

  it('different files, another child, another type, or the first already reviewed: stored as new documents', async () => {
    const { browser, household } = await family();
    const [lea, tom] = household.children;
    const content = await pdf(1, 'Assurance');
    const up = (fields: Record<string, string>, data: Buffer) =>
      browser.upload('/documents', { valid_until: '', ...fields }, [{ content: data, filename: 'a.pdf' }], {
        from: '/documents',
      });
    expect((await up({ type: 'insurance', member_id: String(lea!.id) }, content)).status).toBe(303);
    expect((await up({ type: 'insurance', member_id: String(tom!.id) }, content)).status).toBe(303);
    expect((await up({ type: 'vaccinations', member_id: String(lea!.id) }, content)).status).toBe(303);
    expect(
      (await up({ type: 'insurance', member_id: String(lea!.id) }, await pdf(1, 'Autre assurance'))).status,
    ).toBe(303);
    expect(await documentsOf(household.id)).toHaveLength(4);
    // Once staff rejected it, sending the same file again is a new document to review.
    const first = (await documentsOf(household.id))[0];
    await ctx
      .db('documents')
      .where({ id: first.id })
      .update({ status: 'rejected', reject_reason: 'illisible' });
    expect((await up({ type: 'insurance', member_id: String(lea!.id) }, content)).status).toBe(303);
    expect(await documentsOf(household.id)).toHaveLength(5);
  });

  it('a replacement sent twice at the same time: one new version, the old one superseded once', async () => {
    const { browser, household } = await family();
    const v1 = await browser.upload(
      '/documents',
      { type: 'proof_of_address' },
      [{ content: await pdf(1, 'v1'), filename: 'v1.pdf' }],
      { from: '/documents' },
    );
    expect(v1.status).toBe(303);
    const old = (await documentsOf(household.id))[0];
    await ctx.db('documents').where({ id: old.id }).update({ status: 'accepted' });
    await browser.get(`/documents?replace=${old.id}`);
    const content = await pdf(1, 'v2');
    const send = () =>
      browser.upload(
        '/documents',
        { type: 'proof_of_address', replaces_id: String(old.id) },
        [{ content, filename: 'v2.pdf' }],
        { csrf: browser.token },
      );
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const docs = await documentsOf(household.id);
    expect(docs).toHaveLength(2);
    expect(docs[0].superseded_at).not.toBeNull();
    expect(docs[1]).toMatchObject({ replaces_id: old.id, status: 'pending', superseded_at: null });
    // And once more after both finished: the same answer, nothing new.
    const late = await browser.upload(
      '/documents',
      { type: 'proof_of_address', replaces_id: String(old.id) },
      [{ content, filename: 'v2.pdf' }],
      { csrf: browser.token },
    );
    expect(late.status).toBe(303);
    expect(await documentsOf(household.id)).toHaveLength(2);
  });

  it('the database refuses a second pending copy of the same upload', async () => {
    const { browser, household } = await family();
    await browser.upload(
      '/documents',
      { type: 'caf_attestation' },
      [{ content: await pdf(1, 'CAF'), filename: 'caf.pdf' }],
      { from: '/documents' },
    );
    const [doc] = await documentsOf(household.id);
    expect(doc.upload_sha256).toMatch(/^[0-9a-f]{64}$/);
    const { id: _id, ...copy } = doc;
    void _id;
    await expect(ctx.db('documents').insert(copy)).rejects.toThrow(/documents_pending_upload/);
  });
});
