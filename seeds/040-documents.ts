// Document types of the demo town (others rely on these codes), and a few documents for the demo
// households when the households seed has created them (looked up by the demo accounts' emails).
import PDFDocument from 'pdfkit';
import type { AppDeps } from '../src/deps.js';
import { SYSTEM } from '../src/platform/audit.js';
import { acceptAllScanner } from '../src/platform/scanner.js';
import { childrenOfHousehold, householdIdOf } from '../src/households/access.js';
import { findAccountByEmail } from '../src/accounts/repository.js';
import { updateDocument } from '../src/documents/repository.js';
import { createDocumentsService } from '../src/documents/service.js';
import { tFr } from '../src/web/i18n.js';

// Tax notice: one year, since a new notice comes every year.
export const DOCUMENT_TYPES = [
  {
    code: 'caf_attestation',
    name: 'Attestation CAF ou MSA (quotient familial)',
    scope: 'household',
    validity_rule: 'months',
    validity_months: 3,
    description: 'Attestation de paiement ou de quotient familial de moins de trois mois.',
  },
  {
    code: 'insurance',
    name: 'Attestation d’assurance responsabilité civile',
    scope: 'child',
    validity_rule: 'school_year_end',
    validity_months: null,
    description: 'Responsabilité civile et individuelle accident pour l’année scolaire.',
  },
  {
    code: 'vaccinations',
    name: 'Carnet de vaccinations à jour',
    scope: 'child',
    validity_rule: 'none',
    validity_months: null,
    description: 'Les pages des vaccinations du carnet de santé.',
  },
  {
    code: 'proof_of_address',
    name: 'Justificatif de domicile',
    scope: 'household',
    validity_rule: 'months',
    validity_months: 3,
    description: 'Facture d’énergie, de téléphone ou quittance de loyer de moins de trois mois.',
  },
  {
    code: 'tax_notice',
    name: 'Avis d’imposition',
    scope: 'household',
    validity_rule: 'months',
    validity_months: 12,
    description: 'Le dernier avis d’imposition ou de non-imposition.',
  },
  {
    code: 'pai',
    name: 'Projet d’accueil individualisé (PAI)',
    scope: 'child',
    validity_rule: 'school_year_end',
    validity_months: null,
    description: 'Le PAI signé par le médecin scolaire.',
  },
  {
    code: 'custody_judgment',
    name: 'Jugement de garde',
    scope: 'household',
    validity_rule: 'none',
    validity_months: null,
    description: 'La décision fixant la résidence des enfants.',
  },
  {
    code: 'medical_certificate',
    name: 'Certificat médical',
    scope: 'child',
    validity_rule: 'none',
    validity_months: null,
    description: 'Par exemple pour justifier une absence pour maladie.',
  },
] as const;

/** A small one-page PDF saying what it stands for. */
export function samplePdf(title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { Title: title } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(18).text(title);
    doc.moveDown().fontSize(11).text('Document de démonstration du Portail Famille.');
    doc.end();
  });
}

export async function seed(deps: AppDeps): Promise<void> {
  for (const type of DOCUMENT_TYPES)
    await deps
      .db('document_types')
      .insert({ ...type, active: true })
      .onConflict('code')
      .ignore();

  // Tests build their own documents: demo files would pile up in the shared DATA_DIR/files while
  // each test database is dropped.
  if (!deps.config.DEMO_FAMILIES) return;

  // The demo PDFs are generated here: no need to wait for (or fail on) an antivirus.
  const documents = createDocumentsService({ ...deps, scanner: acceptAllScanner });
  for (const email of ['parent@demo.test', 'parent2@demo.test']) {
    const account = await findAccountByEmail(deps.db, email);
    const householdId = account ? await householdIdOf(deps.db, account.id) : null;
    if (!account || !householdId) continue;
    if (await deps.db('documents').where({ household_id: householdId }).first('id')) continue;
    const [child] = await childrenOfHousehold(deps.db, householdId);
    const parent = { accountId: account.id, role: 'parent' };
    const form = { valid_until: '', replaces_id: '', return_to: '' };
    const file = async (name: string, title: string) => [
      { buffer: await samplePdf(title), originalname: name, size: 0 },
    ];

    // Accepted at the desk, waiting for review, and refused (with the reason the parent sees).
    await documents.upload({
      householdId,
      actor: SYSTEM,
      byStaff: true,
      form: { ...form, type: 'proof_of_address', member_id: '' },
      files: await file('facture-energie.pdf', 'Justificatif de domicile'),
    });
    await documents.upload({
      householdId,
      actor: parent,
      form: { ...form, type: 'caf_attestation', member_id: '' },
      files: await file('attestation-caf.pdf', 'Attestation CAF'),
    });
    if (child) {
      await documents.upload({
        householdId,
        actor: SYSTEM,
        byStaff: true,
        form: { ...form, type: 'vaccinations', member_id: String(child.id) },
        files: await file('vaccins.pdf', 'Carnet de vaccinations'),
      });
      const refused = await documents.upload({
        householdId,
        actor: parent,
        form: { ...form, type: 'insurance', member_id: String(child.id) },
        files: await file('assurance.pdf', 'Attestation d’assurance'),
      });
      await updateDocument(deps.db, refused, {
        status: 'rejected',
        reject_reason: tFr('documents.rejectReasons.illegible'),
        reviewed_at: deps.clock.now(),
      });
    }
  }
}
