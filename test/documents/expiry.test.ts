// The daily expiry job: marks expired documents, reminds parents 30 and 7 days before a document an
// active enrolment relies on expires, once each even when two runs (two instances) race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/compose.js';
import { documentsFeature } from '../../src/documents/index.js';
import { createDb } from '../../src/platform/db.js';
import { createLogger } from '../../src/platform/logger.js';
import { allJobs } from '../../src/worker.js';
import { createAccount, createEnrolment, createFamily, createService, loginAs } from '../support/index.js';
import { pdf } from './fixtures/index.js';
import { createDocsContext, type DocsContext } from './helpers.js';

let ctx: DocsContext;
beforeAll(async () => {
  ctx = await createDocsContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

async function typeId(code: string): Promise<number> {
  return (await ctx.db('document_types').where({ code }).first('id')).id;
}

async function enrolledFamily() {
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const child = household.children[0]!;
  const service = await createService(ctx.deps, { name: `Cantine ${household.id}` });
  await ctx.db('service_requirements').insert([
    { service_id: service.id, document_type_id: await typeId('insurance') },
    { service_id: service.id, document_type_id: await typeId('vaccinations') },
    { service_id: service.id, document_type_id: await typeId('proof_of_address') },
  ]);
  await createEnrolment(ctx.deps, {
    childId: child.id,
    serviceId: service.id,
    householdId: household.id,
    status: 'accepted',
  });
  return { parent, household, child, service };
}

async function acceptedDocument(
  householdId: number,
  code: string,
  memberId: number | null,
  validUntil: string,
) {
  const [row] = await ctx
    .db('documents')
    .insert({
      household_id: householdId,
      member_id: memberId,
      type_id: await typeId(code),
      status: 'accepted',
      valid_until: validUntil,
      uploaded_at: ctx.clock.now(),
    })
    .returning('id');
  return (row as { id: number }).id;
}

const reminderMails = (kind: string, documentId: number) =>
  ctx.db('outbox_emails').where({ kind }).where('dedupe_key', 'like', `documents.reminder.${documentId}.%`);

describe('the daily documents-expiry job', () => {
  it('is registered as a daily job (npm run jobs:daily runs it)', () => {
    expect(allJobs(ctx.deps).map((j) => j.name)).toContain('daily.documents-expiry');
  });

  it('sends each reminder once when run twice concurrently on two instances', async () => {
    ctx.clock.set('2026-09-14T05:00:00Z');
    const { parent, household, child } = await enrolledFamily();
    // A second guardian gets the reminders too.
    const second = await createAccount(ctx.deps);
    await ctx
      .db('household_accounts')
      .insert({ household_id: household.id, account_id: second.id, linked_at: ctx.clock.now() });
    const insurance = await acceptedDocument(household.id, 'insurance', child.id, '2026-10-14'); // in 30 days
    const notRelied = await acceptedDocument(household.id, 'tax_notice', null, '2026-10-01'); // no enrolment needs it

    // A second app instance: its own pool and deps on the same database.
    const db2 = createDb(ctx.databaseUrl, 4);
    const deps2 = createDeps({
      config: ctx.config,
      db: db2,
      logger: createLogger('silent'),
      clock: ctx.clock,
      mailer: null,
      sessionSecret: 'x'.repeat(32),
    });
    try {
      const job = (deps: typeof ctx.deps) =>
        documentsFeature.jobs!(deps).find((j) => j.name === 'daily.documents-expiry')!;
      await Promise.all([
        job(ctx.deps).handler({}),
        job(deps2).handler({}),
        job(ctx.deps).handler({}),
        job(deps2).handler({}),
      ]);
      expect(await ctx.db('document_reminders').where({ document_id: insurance })).toHaveLength(1);
      expect(await reminderMails('documents.reminder_d30', insurance)).toHaveLength(2); // one per guardian
      expect(await reminderMails('documents.reminder_d30', notRelied)).toHaveLength(0);
      await ctx.flushEmails();
      const mails = ctx.smtp.to(parent.email).filter((m) => m.subject.includes('expire'));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(
        'Votre document « Attestation d’assurance responsabilité civile (Léa) » expire dans 30 jours',
      );
      expect(mails[0]!.text).toContain('14 octobre 2026');
      expect(ctx.smtp.to(second.email).filter((m) => m.subject.includes('expire'))).toHaveLength(1);

      // Seven days before: the second reminder, once.
      ctx.clock.set('2026-10-07T05:00:00Z');
      await Promise.all([job(ctx.deps).handler({}), job(deps2).handler({})]);
      await Promise.all([job(ctx.deps).handler({}), job(deps2).handler({})]);
      expect(await reminderMails('documents.reminder_d7', insurance)).toHaveLength(2);
      expect(
        await ctx.db('document_reminders').where({ document_id: insurance }).orderBy('kind').pluck('kind'),
      ).toEqual(['d30', 'd7']);
      await ctx.flushEmails();
      expect(ctx.smtp.to(parent.email).filter((m) => m.subject.includes('expire dans 7 jours'))).toHaveLength(
        1,
      );

      // The day after its last valid day, it is expired.
      ctx.clock.set('2026-10-15T05:00:00Z');
      await job(ctx.deps).handler({});
      expect((await ctx.db('documents').where({ id: insurance }).first()).status).toBe('expired');
      expect(await ctx.db('document_reminders').where({ document_id: insurance })).toHaveLength(2);
    } finally {
      await db2.destroy();
      ctx.clock.set('2026-09-14T08:00:00Z');
    }
  });

  it('no reminder when a newer valid version is already there', async () => {
    ctx.clock.set('2026-09-14T05:00:00Z');
    const { household, child } = await enrolledFamily();
    const old = await acceptedDocument(household.id, 'insurance', child.id, '2026-09-30');
    await acceptedDocument(household.id, 'insurance', child.id, '2027-08-31');
    const { reminders } = await (
      await import('../../src/documents/service.js')
    )
      .createDocumentsService(ctx.deps)
      .runExpiry();
    expect(reminders).toBeGreaterThanOrEqual(0);
    expect(await ctx.db('document_reminders').where({ document_id: old })).toHaveLength(0);
    ctx.clock.set('2026-09-14T08:00:00Z');
  });
});

describe('the vault puts what is missing or expiring first', () => {
  it('lists documents an enrolment needs, and those expiring within 30 days, before the others', async () => {
    const { parent, household, child } = await enrolledFamily();
    const browser = await loginAs(ctx, parent);
    await acceptedDocument(household.id, 'insurance', child.id, '2026-10-01'); // expires within 30 days
    await browser.upload(
      '/documents',
      { type: 'tax_notice' },
      [{ content: await pdf(), filename: 'impots.pdf' }],
      { from: '/documents' },
    );
    const page = await browser.get('/documents');
    const html = page.text.replace(/&#39;/g, "'");
    const todo = html.slice(html.indexOf('À fournir ou à renouveler'), html.indexOf('id="upload-title"'));
    expect(todo).toContain('Carnet de vaccinations à jour pour Léa : demandé pour Cantine');
    expect(todo).toContain('Justificatif de domicile : demandé pour Cantine');
    expect(todo).toContain(
      "Attestation d’assurance responsabilité civile – Léa : valable jusqu'au 1 octobre 2026",
    );
    expect(todo).toContain(`/documents?type=vaccinations&amp;member=${child.id}#upload-title`);
    expect(todo).not.toContain('Avis d’imposition');
    // In the table too, the expiring one comes first.
    const table = html.slice(html.indexOf('<table'));
    expect(table.indexOf('Attestation d’assurance')).toBeLessThan(table.indexOf('Avis d’imposition'));
  });
});
