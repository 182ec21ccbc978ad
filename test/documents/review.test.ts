// Downloads (guardians and staff, never another household or an animator) and the staff review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createFamily, loginAs, type Browser, type TestAccount } from '../support/index.js';
import { reviewDocument } from '../../src/documents/service.js';
import { JPEG, pdf } from './fixtures/index.js';
import { createDocsContext, type DocsContext } from './helpers.js';

let ctx: DocsContext;
let agent: TestAccount;
let agentBrowser: Browser;
beforeAll(async () => {
  ctx = await createDocsContext({ now: '2026-09-14T08:00:00Z' });
  agent = await createAccount(ctx.deps, { role: 'agent' });
  agentBrowser = await loginAs(ctx, agent);
});
afterAll(async () => ctx?.close());

async function familyWithDocument(type = 'insurance', files: { content: Buffer; filename: string }[] = []) {
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const browser = await loginAs(ctx, parent);
  const child = household.children[0]!;
  const res = await browser.upload(
    '/documents',
    { type, member_id: String(child.id) },
    files.length ? files : [{ content: await pdf(2), filename: 'assurance.pdf' }],
    { from: '/documents' },
  );
  expect(res.status).toBe(303);
  const doc = await ctx.db('documents').where({ household_id: household.id }).orderBy('id', 'desc').first();
  return { parent, household, browser, child, doc };
}

const auditOf = (action: string, id: number) =>
  ctx.db('audit_events').where({ action, subject_type: 'document', subject_id: String(id) });

describe('downloading a page', () => {
  it('the guardian gets the file inline with a server-built RFC 6266 name and nosniff', async () => {
    const { browser, doc } = await familyWithDocument('insurance', [
      { content: await pdf(), filename: '<script>.pdf' },
      { content: JPEG, filename: 'dos.jpg' },
    ]);
    const res = await browser.get(`/documents/${doc.id}/file`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.headers['content-disposition']).toBe(
      'inline; filename="Attestation-d-assurance-responsabilite-civile-Lea-2026-09-14-page-1-sur-2-.pdf"; filename*=UTF-8\'\'Attestation%20d%E2%80%99assurance%20responsabilit%C3%A9%20civile%20-%20L%C3%A9a%20-%202026-09-14%20%28page%201%20sur%202%29.pdf',
    );
    expect(res.headers['content-disposition']).not.toContain('script');
    const page2 = await browser.get(`/documents/${doc.id}/file/2`);
    expect(page2.headers['content-type']).toBe('image/jpeg');
    expect(page2.headers['content-disposition']).toMatch(/^inline; /);
    expect(Buffer.compare(page2.body as Buffer, JPEG)).toBe(0);
    expect((await browser.get(`/documents/${doc.id}/file/3`)).status).toBe(404);
    expect((await browser.get(`/documents/${doc.id}/file/abc`)).status).toBe(404);
  });

  it('another household gets 404, the same as a document that does not exist', async () => {
    const { doc } = await familyWithDocument();
    const other = await createFamily(ctx.deps);
    const browser = await loginAs(ctx, other.parent);
    expect((await browser.get(`/documents/${doc.id}/file`)).status).toBe(404);
    expect((await browser.get(`/documents/${doc.id}/file/1`)).status).toBe(404);
    expect((await browser.get('/documents/999999999/file')).status).toBe(404);
  });

  it('an animator gets 403; a visitor is sent to log in', async () => {
    const { doc } = await familyWithDocument();
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    expect((await animator.get(`/documents/${doc.id}/file`)).status).toBe(403);
    expect((await animator.get(`/admin/documents/${doc.id}`)).status).toBe(403);
    expect((await animator.get('/admin/documents')).status).toBe(403);
    const { Browser } = await import('../support/index.js');
    const visitor = await new Browser(ctx.app).get(`/documents/${doc.id}/file`);
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toContain('/login');
    expect(await auditOf('documents.file_viewed', doc.id)).toHaveLength(0);
  });

  it('staff (agent, manager, admin) can download, and each view is an audit event', async () => {
    const { doc, household } = await familyWithDocument();
    const res = await agentBrowser.get(`/documents/${doc.id}/file/1`);
    expect(res.status).toBe(200);
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    expect((await manager.get(`/documents/${doc.id}/file`)).status).toBe(200);
    const events = await auditOf('documents.file_viewed', doc.id).orderBy('id');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actor_account_id: agent.id, actor_role: 'agent' });
    expect(events[0].details).toEqual({ householdId: household.id, page: 1 });
  });
});

describe('staff review', () => {
  it('the queue lists pending documents oldest first, filterable by type', async () => {
    const first = await familyWithDocument('insurance');
    ctx.clock.advance(60_000);
    const second = await familyWithDocument('vaccinations');
    ctx.clock.advance(60_000);
    const page = await agentBrowser.get('/admin/documents');
    expect(page.status).toBe(200);
    const i1 = page.text.indexOf(`/admin/documents/${first.doc.id}"`);
    const i2 = page.text.indexOf(`/admin/documents/${second.doc.id}"`);
    expect(i1).toBeGreaterThan(0);
    expect(i1).toBeLessThan(i2);
    const type = await ctx.db('document_types').where({ code: 'vaccinations' }).first();
    const filtered = await agentBrowser.get(`/admin/documents?type=${type.id}`);
    expect(filtered.text).toContain(`/admin/documents/${second.doc.id}"`);
    expect(filtered.text).not.toContain(`/admin/documents/${first.doc.id}"`);
    expect((await agentBrowser.get('/admin/documents?type=abc')).status).toBe(400);
  });

  it('the document page shows the file next to the family details, and the view is audited', async () => {
    const { doc, household } = await familyWithDocument('insurance', [
      { content: JPEG, filename: 'photo.jpg' },
    ]);
    const page = await agentBrowser.get(`/admin/documents/${doc.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<img src="/documents/${doc.id}/file/1"`);
    expect(page.text).toContain(household.familyNumber);
    expect(page.text).toContain('Accepter le document');
    expect(await auditOf('documents.viewed', doc.id)).toHaveLength(1);
  });

  it('an agent accepts, correcting the end of validity; the parent sees it accepted', async () => {
    const { doc, browser } = await familyWithDocument('insurance');
    const res = await agentBrowser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'accept', valid_until: '2027-07-31' },
      { from: `/admin/documents/${doc.id}` },
    );
    expect(res.status).toBe(303);
    expect(await ctx.db('documents').where({ id: doc.id }).first()).toMatchObject({
      status: 'accepted',
      valid_until: '2027-07-31',
      reviewed_by: agent.id,
    });
    const [event] = await auditOf('documents.accepted', doc.id);
    expect(event).toMatchObject({ actor_account_id: agent.id, details: { validUntilCorrected: true } });
    const vault = await browser.get('/documents');
    expect(vault.text).toContain('acceptée');
    expect(vault.text).toContain('31 juillet 2027');
    // Reviewing twice is refused.
    const again = await agentBrowser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'reject', reason: 'illegible' },
      { csrf: agentBrowser.token },
    );
    expect(again.status).toBe(422);
  });

  it('an agent rejects with a reason; the parent is emailed and sees the reason', async () => {
    const { doc, parent, browser } = await familyWithDocument('insurance');
    await ctx.flushEmails();
    const before = ctx.smtp.to(parent.email).length;
    const res = await agentBrowser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'reject', reason: 'wrong_person', reason_text: 'C’est le nom du frère.' },
      { from: `/admin/documents/${doc.id}` },
    );
    expect(res.status).toBe(303);
    const row = await ctx.db('documents').where({ id: doc.id }).first();
    expect(row).toMatchObject({
      status: 'rejected',
      reject_reason: 'Le document ne concerne pas la bonne personne. C’est le nom du frère.',
    });
    expect(await auditOf('documents.rejected', doc.id)).toHaveLength(1);
    await ctx.flushEmails();
    const mails = ctx.smtp.to(parent.email).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Document refusé');
    expect(mails[0]!.text).toContain('C’est le nom du frère.');
    const vault = await browser.get('/documents');
    expect(vault.text).toContain('refusée');
    expect(vault.text).toContain('C’est le nom du frère.');
  });

  it('a rejection without a reason (or "other" without text) is refused and changes nothing', async () => {
    const { doc } = await familyWithDocument('insurance');
    const none = await agentBrowser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'reject' },
      { from: `/admin/documents/${doc.id}` },
    );
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choisissez le motif du refus');
    const other = await agentBrowser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'reject', reason: 'other', reason_text: '' },
      { from: `/admin/documents/${doc.id}` },
    );
    expect(other.status).toBe(422);
    expect(other.text).toContain('Précisez le motif du refus');
    const bad = await agentBrowser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'accept', valid_until: '2020-01-01' },
      { from: `/admin/documents/${doc.id}` },
    );
    expect(bad.status).toBe(422);
    expect(await ctx.db('documents').where({ id: doc.id }).first()).toMatchObject({
      status: 'pending',
      reviewed_by: null,
    });
  });

  it('reviewDocument() does the same for other features (the enrolment request page)', async () => {
    const { doc } = await familyWithDocument('insurance');
    await reviewDocument(
      ctx.deps,
      doc.id,
      { decision: 'accept', valid_until: '' },
      { accountId: agent.id, role: 'agent' },
    );
    expect(await ctx.db('documents').where({ id: doc.id }).first()).toMatchObject({
      status: 'accepted',
      valid_until: '2027-08-31',
    });
  });

  it('a parent cannot reach the staff pages', async () => {
    const { doc, browser } = await familyWithDocument('insurance');
    expect((await browser.get(`/admin/documents/${doc.id}`)).status).toBe(403);
    const res = await browser.post(
      `/admin/documents/${doc.id}/review`,
      { decision: 'accept' },
      { from: '/documents' },
    );
    expect(res.status).toBe(403);
    expect((await ctx.db('documents').where({ id: doc.id }).first()).status).toBe('pending');
  });
});

describe('desk upload on a family’s behalf', () => {
  it('an agent finds the family by number and uploads a scan, accepted at once', async () => {
    const { household } = await createFamily(ctx.deps, [{ firstName: 'Tom' }]);
    const lookup = await agentBrowser.get(
      `/admin/families/find?for=upload&q=${household.familyNumber.toLowerCase()}`,
    );
    expect(lookup.status).toBe(303);
    expect(lookup.headers.location).toBe(`/admin/documents/upload?household=${household.id}`);
    const res = await agentBrowser.upload(
      '/admin/documents/upload',
      {
        household_id: String(household.id),
        type: 'vaccinations',
        member_id: String(household.children[0]!.id),
      },
      [{ content: await pdf(), filename: 'scan.pdf' }],
      {
        from: lookup.headers.location,
      },
    );
    expect(res.status).toBe(303);
    const doc = await ctx.db('documents').where({ household_id: household.id }).first();
    expect(doc).toMatchObject({
      status: 'accepted',
      uploaded_by_staff: true,
      uploaded_by: agent.id,
      reviewed_by: agent.id,
    });
    expect(await auditOf('documents.uploaded_by_staff', doc.id)).toHaveLength(1);
  });

  it('an unknown family number is a clear error; a hostile file at the desk stores nothing', async () => {
    const unknown = await agentBrowser.get('/admin/families/find?for=upload&q=XX-999');
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Aucune famille ne correspond à cette recherche');
    const { household } = await createFamily(ctx.deps);
    const before = await ctx.counts();
    const res = await agentBrowser.upload(
      '/admin/documents/upload',
      { household_id: String(household.id), type: 'caf_attestation' },
      [{ content: Buffer.from('<svg onload=alert(1)>'), filename: 'a.pdf' }],
      {
        from: `/admin/documents/upload?household=${household.id}`,
      },
    );
    expect(res.status).toBe(422);
    expect(await ctx.counts()).toEqual(before);
  });
});

describe('document types (admins)', () => {
  it('an admin edits a type; an agent cannot', async () => {
    const admin = await loginAs(ctx, await createAccount(ctx.deps, { role: 'admin' }));
    const type = await ctx.db('document_types').where({ code: 'tax_notice' }).first();
    const list = await admin.get('/admin/document-types');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Avis d’imposition');
    const res = await admin.post(`/admin/document-types/${type.id}`, {
      name: 'Avis d’imposition 2026',
      description: '',
      scope: 'household',
      validity_rule: 'months',
      validity_months: '18',
      active: 'on',
    });
    expect(res.status).toBe(303);
    expect(await ctx.db('document_types').where({ id: type.id }).first()).toMatchObject({
      code: 'tax_notice',
      name: 'Avis d’imposition 2026',
      validity_months: 18,
      active: true,
    });
    const bad = await admin.post(`/admin/document-types/${type.id}`, {
      name: '',
      scope: 'household',
      validity_rule: 'months',
      validity_months: '0',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Saisissez le nom du type de document');
    expect((await ctx.db('document_types').where({ id: type.id }).first()).name).toBe(
      'Avis d’imposition 2026',
    );
    expect((await agentBrowser.get('/admin/document-types')).status).toBe(403);
    const created = await admin.post(
      '/admin/document-types',
      {
        code: 'school_certificate',
        name: 'Certificat de scolarité',
        scope: 'child',
        validity_rule: 'school_year_end',
        active: 'on',
      },
      { from: '/admin/document-types/new' },
    );
    expect(created.status).toBe(303);
    const dup = await admin.post(
      '/admin/document-types',
      { code: 'school_certificate', name: 'Doublon', scope: 'child', validity_rule: 'none' },
      { from: '/admin/document-types/new' },
    );
    expect(dup.status).toBe(422);
  });
});
