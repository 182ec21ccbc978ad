// The PayFiP stand-in's payment page (see standin.ts): served once per idOp within 15 minutes,
// where the "payer" chooses Payer / Refuser / Abandonner; the choice is recorded, the notification
// sent, and the browser sent back to the site. Refusals are French HTML pages (P1, P3, P4).
import type { Request, Response } from 'express';
import { randomInt, timingSafeEqual } from 'node:crypto';
import { DateTime } from 'luxon';
import { IDOP_PATTERN } from './rules.js';
import { PAYMENT_PAGE_PATH } from './soap.js';
import type { StandinContext } from './standin.js';
import type { StandinOperation, StandinResultCode } from './standin-store.js';
import { escapeXml } from './xml.js';

const NOTIFICATION_TIMEOUT_MS = 10_000;
const TIME_ZONE = 'Europe/Paris';

const CHOICES: Record<string, StandinResultCode> = { payer: 'P', refuser: 'R', abandonner: 'A' };

type Refusal = { ok: false; code: 'P1' | 'P3' | 'P4'; op?: StandinOperation };
type OpenCheck = { ok: true; op: StandinOperation } | Refusal;

export function createStandinPaymentPage(
  { clock, store, isExpired, reportError }: StandinContext,
  options: { fetch: typeof fetch; stylesheetHref: string },
) {
  const { fetch: fetchImpl, stylesheetHref } = options;

  /** The operation if its page may still be used (once, within 15 minutes). */
  async function openOperation(idOp: string): Promise<OpenCheck> {
    const op = IDOP_PATTERN.test(idOp) ? await store.get(idOp) : undefined;
    if (!op) return { ok: false, code: 'P1' };
    if (op.result) return { ok: false, code: 'P3', op };
    if (isExpired(op)) return { ok: false, code: 'P4', op };
    return { ok: true, op };
  }

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

  return { paymentPage, paymentChoice };
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
