// A test context whose app listens on a real port, so that the real PayFiP client reaches the
// stand-in (and the stand-in's notification reaches the app) over HTTP, as in production.
import type { Server } from 'node:http';
import { invoicesIssued } from '../../src/billing/service.js';
import { paymentsFeature } from '../../src/payments/index.js';
import { withTransaction } from '../../src/platform/db.js';
import { freePort } from '../../src/platform/embedded-db.js';
import { createTestContext, type ContextOptions, type TestContext } from '../support/context.js';
import { createInvoice } from '../support/factories.js';
import type { Browser } from '../support/http.js';

export interface PaymentsContext extends TestContext {
  baseUrl: string;
}

export async function startPaymentsContext(opts: ContextOptions = {}): Promise<PaymentsContext> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const ctx = await createTestContext({ ...opts, env: { BASE_URL: baseUrl, ...opts.env } });
  const server: Server = await new Promise((resolve) => {
    const s = ctx.app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    ...ctx,
    baseUrl,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
      await ctx.close();
    },
  };
}

/** What the payer's browser does on the stand-in's page: read it, press one of its buttons. */
export async function payOnStandin(redirectUrl: string, choix: 'payer' | 'refuser' | 'abandonner') {
  const page = await fetch(redirectUrl);
  const html = await page.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const res = await fetch(new URL(action, redirectUrl), {
    method: 'POST',
    body: new URLSearchParams({ idop: field('idop'), nonce: field('nonce'), choix }),
    redirect: 'manual',
  });
  return {
    pageStatus: page.status,
    pageHtml: html,
    status: res.status,
    location: res.headers.get('location') ?? '',
  };
}

/** The parent presses "Payer en ligne": returns the stand-in URL the app redirects to. */
export async function startPaying(browser: Browser, invoiceId: number) {
  const res = await browser.post(`/payments/invoices/${invoiceId}/pay`, {}, { from: '/payments' });
  return res;
}

/** Waits until a condition holds (the stand-in's notification is sent without waiting). */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * An invoice issued as the invoicing run issues one: the row, and in the same transaction what
 * the run's batch does with its new invoices (the payments feature plans the direct debit of a
 * household with an active mandate). `createInvoice` alone is an invoice nothing planned.
 */
export function issueInvoice(ctx: TestContext, opts: Parameters<typeof createInvoice>[1]) {
  return withTransaction(ctx.db, async (tx) => {
    const invoice = await createInvoice({ ...ctx.deps, db: tx }, opts);
    await invoicesIssued(ctx.deps, tx, [invoice.id]);
    return invoice;
  });
}

/** The payments feature's daily job that plans the direct debits the transactions missed. */
export async function runDailyDirectDebits(ctx: TestContext) {
  await paymentsFeature.jobs!(ctx.deps)
    .find((j) => j.name === 'daily.payments-direct-debits')!
    .handler({});
}

/**
 * A second payment tab as the portal opened them before one open operation per invoice was the
 * rule: an operation created at the stand-in by the real client, for the invoice's reference and
 * the given amount, recorded as the app records its own (so its notification is trusted).
 */
export async function operationBehindTheGuard(
  ctx: PaymentsContext,
  invoice: { id: number; number: string },
  amountCents: number,
  payerEmail: string,
) {
  const reference = invoice.number.replace(/[^A-Za-z0-9]/g, '');
  const created = await ctx.deps.payments.createOperation({
    reference,
    amountCents,
    payerEmail,
    label: `Facture ${invoice.number}`,
    notificationUrl: `${ctx.baseUrl}/payments/payfip/notify`,
    returnUrl: `${ctx.baseUrl}/payments/return`,
    exer: 2026,
  });
  const row = (await ctx.db('invoices').where({ id: invoice.id }).first('household_id')) as {
    household_id: number;
  };
  await ctx.db('payment_operations').insert({
    id_op: created.operationId,
    invoice_id: invoice.id,
    household_id: row.household_id,
    refdet: reference,
    amount_cents: amountCents,
    payer_email: payerEmail,
    created_at: ctx.clock.now(),
    redirect_url: created.redirectUrl,
  });
  return created;
}
