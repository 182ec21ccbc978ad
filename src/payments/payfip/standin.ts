// A local PayFiP stand-in for development and tests: the same SOAP operations, faults and
// payment page flow as PayFiP (payfip.md), with a French page where the "payer" chooses
// Payer / Refuser / Abandonner. Mounted by the app at a prefix, e.g. /payfip-standin:
//   POST {prefix}/tpa/services/securite            SOAP endpoint (creerPaiementSecurise, recupererDetailPaiementSecurise)
//   GET  {prefix}/tpa/paiementws.web?idop=<idOp>   payment page
//   POST {prefix}/tpa/paiementws.web               the payer's choice (form)
// so the real client works against it with baseUrl = {origin}{prefix}.
//
// Behaviour:
// - creerPaiementSecurise checks PayFiP's rules (rules.ts) and answers their fault codes
//   (T1/T2, S1, R3, M1/M3/M5, A1/A2, N1, D1); otherwise it stores the operation and returns its idOp.
// - recupererDetailPaiementSecurise: P1 for an unknown idOp; the result once the payer has
//   chosen (as often as asked); otherwise P4 once 15 minutes (injected clock) have passed since
//   creation, P5 ("not known yet") before.
// - The payment page serves an idOp once: after a choice it answers P3 ("already used"), after
//   15 minutes P4, for an unknown idOp P1 (as French HTML pages).
// - On a choice: the result is recorded (compare-and-set in the store), the notification is
//   POSTed form-encoded (`idop=<idOp>`) to urlnotif without waiting for it (failures go to
//   onError, never retried), and the browser is redirected (303) to urlredirect with
//   `idop=<idOp>` added to its query. payfip.md does not say whether PayFiP adds it; real
//   integrations read it there. The return proves nothing either way: the app settles from
//   getResult() only.
//
// CSRF: the app's csrf-sync middleware must let this router's POSTs through (the SOAP call
// has no session, and the page stands for another site). The page form protects itself
// instead: each operation has a random nonce, rendered in a hidden field and compared in
// constant time on POST, so another site cannot submit a choice for an operation whose page it
// has not read. The page has no inline script or style (the app's CSP forbids them).
//
// The SOAP endpoint is in standin-soap.ts, the payment page in standin-page.ts.
//
// Never in production: the factory throws when told it runs in production (config NODE_ENV).
import express, { Router } from 'express';
import { OPERATION_TTL_MS } from './rules.js';
import { PAYMENT_PAGE_PATH, SERVICE_PATH } from './soap.js';
import { createStandinPaymentPage } from './standin-page.js';
import { createStandinSoapEndpoint } from './standin-soap.js';
import { createMemoryStandinStore, type StandinOperation, type StandinStore } from './standin-store.js';

export { createMemoryStandinStore, type StandinStore } from './standin-store.js';

export interface PayfipStandinOptions {
  clock: { now(): Date };
  /** True in production (from the app's configuration): the factory then refuses to build. */
  production: boolean;
  /** Defaults to an in-memory store: pass a shared one when several app processes run. */
  store?: StandinStore;
  /** Used to POST notifications; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** When set, any other numcli is refused with T2 (as PayFiP refuses unknown clients). */
  numcli?: string;
  /** A notification that could not be delivered, or an internal error of the SOAP endpoint. */
  onError?: (error: unknown, context: { during: 'notification' | 'soap'; idOp?: string }) => void;
  /** Stylesheet of the payment page. */
  stylesheetHref?: string;
}

/** What the SOAP endpoint and the payment page share. */
export interface StandinContext {
  clock: { now(): Date };
  store: StandinStore;
  /** Whether nobody chose within 15 minutes of the operation's creation. */
  isExpired: (op: StandinOperation) => boolean;
  reportError: NonNullable<PayfipStandinOptions['onError']>;
}

export function createPayfipStandin(options: PayfipStandinOptions): Router {
  if (options.production) throw new Error('The PayFiP stand-in must not run in production');

  const { clock } = options;
  const store = options.store ?? createMemoryStandinStore();
  const reportError =
    options.onError ??
    ((error: unknown, context: { during: string; idOp?: string }) => {
      console.error(
        `[payfip-standin] ${context.during} failed${context.idOp ? ` for ${context.idOp}` : ''}:`,
        error instanceof Error ? error.message : error,
      );
    });

  const isExpired = (op: StandinOperation) =>
    clock.now().getTime() - op.createdAt.getTime() >= OPERATION_TTL_MS;

  const context: StandinContext = { clock, store, isExpired, reportError };
  const { paymentPage, paymentChoice } = createStandinPaymentPage(context, {
    fetch: options.fetch ?? globalThis.fetch,
    stylesheetHref: options.stylesheetHref ?? '/css/main.css',
  });

  const router = Router();
  router.post(
    SERVICE_PATH,
    express.text({ type: () => true, limit: '64kb' }),
    createStandinSoapEndpoint(context, options.numcli),
  );
  router.get(PAYMENT_PAGE_PATH, paymentPage);
  router.post(PAYMENT_PAGE_PATH, express.urlencoded({ extended: false, limit: '10kb' }), paymentChoice);
  return router;
}
