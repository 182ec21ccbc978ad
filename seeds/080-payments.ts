// Demo payments (idempotent): Karim Benali's household pays by direct debit (an accepted
// mandate request), and Camille Martin has paid one invoice online through the PayFiP stand-in.
// Needs the billing demo invoices (070): does nothing without them.
import { randomBytes, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppDeps } from '../src/deps.js';
import { SYSTEM } from '../src/platform/audit.js';
import { TIME_ZONE } from '../src/platform/clock.js';
import { withTransaction } from '../src/platform/db.js';
import { applyToInvoice, remainingCents, type PayableInvoice } from '../src/payments/invoices.js';
import { insertPayment } from '../src/payments/repository.js';
import { MANDATE_REQUEST_TYPE } from '../src/payments/sepa-mandates.js';
import { createRequestsService } from '../src/requests/service.js';
import { maskIban } from '../src/payments/mandates.js';
import { normaliseObjet } from '../src/payments/payfip/rules.js';
import { tFr } from '../src/web/i18n.js';

/** A valid French test IBAN (Crédit Agricole's example account). */
const DEMO_IBAN = 'FR7630006000011234567890189';

const householdOf = (deps: AppDeps, email: string) =>
  deps
    .db('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .whereRaw('lower(a.email) = ?', [email])
    .first('ha.household_id', 'a.id as account_id', 'a.first_name', 'a.last_name') as Promise<
    { household_id: number; account_id: number; first_name: string; last_name: string } | undefined
  >;

export async function seed(deps: AppDeps): Promise<void> {
  if (!deps.config.DEMO_FAMILIES) return;
  if (!(await deps.db.schema.hasTable('payment_operations'))) return;
  if (!(await deps.db('invoices').first('id'))) return;
  await seedMandate(deps);
  await seedOnlinePayment(deps);
}

async function seedMandate(deps: AppDeps) {
  const karim = await householdOf(deps, 'parent2@demo.test');
  if (!karim || (await deps.db('sepa_mandates').where({ household_id: karim.household_id }).first('id')))
    return;
  const now = deps.clock.now();
  const requests = createRequestsService(deps);
  await withTransaction(deps.db, async (tx) => {
    const [row] = await tx('sepa_mandates')
      .insert({
        household_id: karim.household_id,
        holder: `${karim.first_name} ${karim.last_name}`,
        iban: DEMO_IBAN,
        bic: 'AGRIFRPP',
        address: '5 avenue de la Gare, 49999 Saint-Exemple',
        consent_at: now,
        status: 'requested',
        requested_by: karim.account_id,
        created_at: now,
      })
      .returning('id');
    const mandateId = (row as { id: number }).id;
    const request = await requests.create(tx, {
      type: MANDATE_REQUEST_TYPE,
      accountId: karim.account_id,
      householdId: karim.household_id,
      summary: tFr('payments.mandate.requestSummary', {
        holder: `${karim.first_name} ${karim.last_name}`,
        iban: maskIban(DEMO_IBAN),
      }),
      data: { mandateId, holder: `${karim.first_name} ${karim.last_name}`, iban: maskIban(DEMO_IBAN) },
      actor: { accountId: karim.account_id, role: 'parent' },
    });
    await tx('sepa_mandates').where({ id: mandateId }).update({ request_id: request.id });
    // Accepting runs the payments hook: the mandate becomes active with its RUM.
    await requests.decide(request.id, 'accepted', SYSTEM, null, tx);
  });
}

async function seedOnlinePayment(deps: AppDeps) {
  const camille = await householdOf(deps, 'parent@demo.test');
  if (!camille) return;
  if (
    await deps
      .db('payment_operations')
      .where({ household_id: camille.household_id, state: 'paid' })
      .first('id')
  )
    return;
  const invoice = (await deps
    .db('invoices')
    .where({ household_id: camille.household_id, kind: 'invoice' })
    .whereIn('status', ['unpaid', 'partially_paid'])
    .orderBy('issued_at')
    .first()) as PayableInvoice | undefined;
  if (!invoice || remainingCents(invoice) < 100) return;
  const amount = remainingCents(invoice);
  const now = deps.clock.now();
  const paris = DateTime.fromJSDate(now, { zone: TIME_ZONE });
  const idOp = randomUUID();
  const refdet = invoice.number.replace(/[^A-Za-z0-9]/g, '');
  const account = (await deps.db('accounts').where({ id: camille.account_id }).first('email')) as {
    email: string;
  };
  await withTransaction(deps.db, async (tx) => {
    // What the stand-in holds after the parent pressed "Payer" on its page.
    await tx('standin_operations').insert({
      id_op: idOp,
      args: JSON.stringify({
        numcli: deps.config.PAYFIP_NUMCLI,
        exer: String(paris.year),
        refdet,
        objet: normaliseObjet(tFr('payments.payfip.label', { number: invoice.number })),
        montant: String(amount),
        mel: account.email,
        urlnotif: `${deps.config.baseUrl}/payments/payfip/notify`,
        urlredirect: `${deps.config.baseUrl}/payments/return`,
        saisie: deps.config.PAYFIP_SAISIE,
      }),
      nonce: randomBytes(24).toString('base64url'),
      created_at: now,
      result: JSON.stringify({
        resultrans: 'P',
        numauto: '482913',
        dattrans: paris.toFormat('ddLLyyyy'),
        heurtrans: paris.toFormat('HHmm'),
        decidedAt: now.toISOString(),
      }),
    });
    const applied = await applyToInvoice(tx, invoice.id, amount);
    const paymentId = await insertPayment(tx, {
      invoice_id: invoice.id,
      household_id: camille.household_id,
      method: 'online',
      amount_cents: amount,
      overpaid_cents: applied.overpaidCents,
      received_at: now,
      reference: idOp,
      recorded_by: null,
      recorded_at: now,
    });
    await tx('payment_operations').insert({
      id_op: idOp,
      invoice_id: invoice.id,
      household_id: camille.household_id,
      account_id: camille.account_id,
      refdet,
      amount_cents: amount,
      payer_email: account.email,
      state: 'paid',
      result_code: 'P',
      payment_id: paymentId,
      created_at: now,
      settled_at: now,
      last_checked_at: now,
      attempts: 1,
    });
  });
}
