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
// Never in production: the factory throws when told it runs in production (config NODE_ENV).
import express, { Router, type Request, type Response } from 'express';
import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { DateTime } from 'luxon';
import { IDOP_PATTERN, OPERATION_TTL_MS, checkCreerArgs, type RuleViolation } from './rules.js';
import {
  CREER_ARG_NAMES,
  PAYFIP_NAMESPACE,
  PAYMENT_PAGE_PATH,
  SERVICE_PATH,
  buildFonctionnelleFault,
  buildPlainFault,
  buildResponse,
  readSoap,
  type CreerPaiementSecuriseArgs,
  type PaiementDetail,
} from './soap.js';
import {
  createMemoryStandinStore,
  type StandinOperation,
  type StandinResultCode,
  type StandinStore,
} from './standin-store.js';
import { XmlFormatError, element, escapeXml, leafText } from './xml.js';

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

const NOTIFICATION_TIMEOUT_MS = 10_000;
const TIME_ZONE = 'Europe/Paris';

const CHOICES: Record<string, StandinResultCode> = { payer: 'P', refuser: 'R', abandonner: 'A' };

const FAULTS = {
  P1: 'IdOp incorrect.',
  P3: "L'idOp ne doit pas avoir déjà été utilisé.",
  P4: "L'idOp ne doit pas avoir été enregistré depuis plus de 15 minutes.",
  P5: 'Résultat de la transaction non connu.',
  T2: 'Le numéro du client doit être préexistant dans la base PayFiP.',
} as const;

type Refusal = { ok: false; code: 'P1' | 'P3' | 'P4'; op?: StandinOperation };
type OpenCheck = { ok: true; op: StandinOperation } | Refusal;

export function createPayfipStandin(options: PayfipStandinOptions): Router {
  if (options.production) throw new Error('The PayFiP stand-in must not run in production');

  const { clock } = options;
  const store = options.store ?? createMemoryStandinStore();
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const stylesheetHref = options.stylesheetHref ?? '/css/main.css';
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

  /** The operation if its page may still be used (once, within 15 minutes). */
  async function openOperation(idOp: string): Promise<OpenCheck> {
    const op = IDOP_PATTERN.test(idOp) ? await store.get(idOp) : undefined;
    if (!op) return { ok: false, code: 'P1' };
    if (op.result) return { ok: false, code: 'P3', op };
    if (isExpired(op)) return { ok: false, code: 'P4', op };
    return { ok: true, op };
  }

  // ---- SOAP endpoint ---------------------------------------------------------------------

  async function creerPaiementSecurise(content: string): Promise<string> {
    const arg0 = element(content, 'arg0');
    if (!arg0) throw new XmlFormatError('no arg0');
    const args = {} as CreerPaiementSecuriseArgs;
    for (const name of CREER_ARG_NAMES) args[name] = (leafText(arg0.inner, name) ?? '').trim();

    const violation: RuleViolation | null =
      checkCreerArgs(args) ??
      (options.numcli && args.numcli !== options.numcli ? { code: 'T2', message: FAULTS.T2 } : null);
    if (violation) throw new SoapFault(violation.code, violation.message);

    const op: StandinOperation = {
      idOp: randomUUID(),
      ...args,
      nonce: randomBytes(24).toString('base64url'),
      createdAt: clock.now(),
      result: null,
    };
    await store.put(op);
    return buildResponse('creerPaiementSecurise', { idOp: op.idOp });
  }

  async function recupererDetailPaiementSecurise(content: string): Promise<string> {
    const arg0 = element(content, 'arg0');
    const idOp = (arg0 ? leafText(arg0.inner, 'idOp') : undefined)?.trim() ?? '';
    const op = IDOP_PATTERN.test(idOp) ? await store.get(idOp) : undefined;
    if (!op) throw new SoapFault('P1', FAULTS.P1);
    // Once decided, the result can be asked for again and again (the app polls and retries).
    if (!op.result) throw isExpired(op) ? new SoapFault('P4', FAULTS.P4) : new SoapFault('P5', FAULTS.P5);
    const detail: PaiementDetail = {
      dattrans: op.result.dattrans,
      exer: op.exer,
      heurtrans: op.result.heurtrans,
      idOp: op.idOp,
      mel: op.mel,
      montant: op.montant,
      numauto: op.result.numauto,
      numcli: op.numcli,
      objet: op.objet,
      refdet: op.refdet,
      resultrans: op.result.resultrans,
      saisie: op.saisie,
    };
    return buildResponse('recupererDetailPaiementSecurise', detail);
  }

  async function soapEndpoint(req: Request, res: Response): Promise<void> {
    const send = (status: number, xml: string) => {
      res.status(status).type('text/xml; charset=utf-8').send(xml);
    };
    try {
      if (typeof req.body !== 'string') throw new XmlFormatError('no XML body');
      const message = readSoap(req.body);
      if (message.kind !== 'body' || message.namespace !== PAYFIP_NAMESPACE) {
        send(500, buildPlainFault('Client', 'Opération inconnue'));
        return;
      }
      if (message.operation === 'creerPaiementSecurise')
        send(200, await creerPaiementSecurise(message.content));
      else if (message.operation === 'recupererDetailPaiementSecurise')
        send(200, await recupererDetailPaiementSecurise(message.content));
      else send(500, buildPlainFault('Client', 'Opération inconnue'));
    } catch (error) {
      if (error instanceof SoapFault) send(500, buildFonctionnelleFault(error.code, error.message));
      else if (error instanceof XmlFormatError)
        send(500, buildPlainFault('Client', 'Requête SOAP illisible'));
      else {
        reportError(error, { during: 'soap' });
        send(500, buildPlainFault('Server', 'Erreur technique'));
      }
    }
  }

  // ---- Payment page ----------------------------------------------------------------------

  function sendPage(res: Response, status: number, title: string, main: string): void {
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderPage({ title, main, stylesheetHref }));
  }

  function sendRefusal(res: Response, check: Refusal): void {
    const back = check.op ? returnLink(check.op) : '';
    if (check.code === 'P1')
      sendPage(
        res,
        404,
        'Opération inconnue',
        `<h1>Opération inconnue</h1><p>Cette opération de paiement n'existe pas (code P1).</p>`,
      );
    else if (check.code === 'P3')
      sendPage(
        res,
        409,
        'Opération déjà utilisée',
        `<h1>Opération déjà utilisée</h1><p>Cette opération de paiement a déjà été traitée (code P3). Elle ne peut servir qu'une fois.</p>${back}`,
      );
    else
      sendPage(
        res,
        410,
        'Délai dépassé',
        `<h1>Délai dépassé</h1><p>Cette opération de paiement a expiré : elle devait être utilisée dans les 15 minutes (code P4).</p>${back}`,
      );
  }

  async function paymentPage(req: Request, res: Response): Promise<void> {
    const idOp = typeof req.query.idop === 'string' ? req.query.idop : '';
    const check = await openOperation(idOp);
    if (!check.ok) return sendRefusal(res, check);
    const { op } = check;
    const amount = formatEuros(Number(op.montant));
    const action = `${req.baseUrl}${PAYMENT_PAGE_PATH}`;
    sendPage(
      res,
      200,
      'Paiement en ligne',
      `<h1>Paiement en ligne</h1>
<p class="notice notice--info">Simulateur PayFiP pour le développement et les tests : aucune carte n'est débitée.</p>
<dl class="summary-list">
  <div><dt>Montant</dt><dd>${escapeXml(amount)}</dd></div>
  <div><dt>Référence</dt><dd>${escapeXml(op.refdet)}</dd></div>
  <div><dt>Objet</dt><dd>${escapeXml(op.objet || '—')}</dd></div>
  <div><dt>Adresse électronique</dt><dd>${escapeXml(op.mel)}</dd></div>
</dl>
<form method="post" action="${escapeXml(action)}">
  <input type="hidden" name="idop" value="${escapeXml(op.idOp)}">
  <input type="hidden" name="nonce" value="${escapeXml(op.nonce)}">
  <div class="actions">
    <button type="submit" class="button" name="choix" value="payer">Payer ${escapeXml(amount)}</button>
    <button type="submit" class="button button--danger" name="choix" value="refuser">Refuser le paiement</button>
    <button type="submit" class="button button--secondary" name="choix" value="abandonner">Abandonner et revenir au site</button>
  </div>
</form>`,
    );
  }

  async function paymentChoice(req: Request, res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
    const resultrans = CHOICES[field('choix')];
    if (!resultrans)
      return sendPage(
        res,
        400,
        'Choix invalide',
        `<h1>Choix invalide</h1><p>Choisissez Payer, Refuser ou Abandonner.</p>`,
      );

    const check = await openOperation(field('idop'));
    if (!check.ok) return sendRefusal(res, check);
    const { op } = check;
    if (!sameSecret(op.nonce, field('nonce')))
      return sendPage(
        res,
        403,
        'Formulaire expiré',
        `<h1>Formulaire expiré</h1><p>Ce formulaire n'est pas valide. Rouvrez la page de paiement depuis le site.</p>`,
      );

    const now = clock.now();
    const paris = DateTime.fromJSDate(now, { zone: TIME_ZONE });
    const recorded = await store.update(op.idOp, {
      result: {
        resultrans,
        numauto: resultrans === 'P' ? String(randomInt(100000, 1000000)) : '',
        dattrans: paris.toFormat('ddLLyyyy'),
        heurtrans: paris.toFormat('HHmm'),
        decidedAt: now,
      },
    });
    if (!recorded) return sendRefusal(res, { ok: false, code: 'P3', op });

    notify(op);
    res.redirect(303, returnUrl(op));
  }

  /** Fire and forget: the app must not depend on it (PayFiP's is not guaranteed either). */
  function notify(op: StandinOperation): void {
    fetchImpl(op.urlnotif, {
      method: 'POST',
      body: new URLSearchParams({ idop: op.idOp }),
      signal: AbortSignal.timeout(NOTIFICATION_TIMEOUT_MS),
      redirect: 'manual',
    })
      .then(async (response) => {
        await response.body?.cancel(); // free the connection; the answer is not read
        if (!response.ok) throw new Error(`notification answered HTTP ${response.status}`);
      })
      .catch((error: unknown) => reportError(error, { during: 'notification', idOp: op.idOp }));
  }

  const router = Router();
  router.post(SERVICE_PATH, express.text({ type: () => true, limit: '64kb' }), soapEndpoint);
  router.get(PAYMENT_PAGE_PATH, paymentPage);
  router.post(PAYMENT_PAGE_PATH, express.urlencoded({ extended: false, limit: '10kb' }), paymentChoice);
  return router;
}

class SoapFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function returnUrl(op: StandinOperation): string {
  const url = new URL(op.urlredirect);
  url.searchParams.set('idop', op.idOp);
  return url.href;
}

function returnLink(op: StandinOperation): string {
  return `<p><a href="${escapeXml(returnUrl(op))}">Revenir au site</a></p>`;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
function formatEuros(cents: number): string {
  return euros.format(cents / 100);
}

function renderPage({
  title,
  main,
  stylesheetHref,
}: {
  title: string;
  main: string;
  stylesheetHref: string;
}): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)} – Simulateur PayFiP</title>
<link rel="stylesheet" href="${escapeXml(stylesheetHref)}">
</head>
<body>
<a class="skip-link" href="#contenu">Aller au contenu</a>
<header class="site-header"><div class="site-header__inner"><p class="site-header__name">PayFiP – simulateur</p></div></header>
<main id="contenu" class="container" tabindex="-1">
${main}
</main>
</body>
</html>
`;
}
