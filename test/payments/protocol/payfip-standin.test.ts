// The real PayFiP client against the stand-in on a real local HTTP server: what a payer and
// the app's server do, from creating the operation to asking for its result.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultConfirms } from '../../../src/payments/provider.js';
import { createMemoryStandinStore, createPayfipStandin } from '../../../src/payments/payfip/standin.js';
import { PAYFIP_NAMESPACE, buildRequest, readSoap } from '../../../src/payments/payfip/soap.js';
import { NUMCLI, openPaymentPage, startStandin, submitChoice } from './standin-harness.js';

type Harness = Awaited<ReturnType<typeof startStandin>>;
const MINUTE = 60_000;

describe('PayFiP stand-in with the real client', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startStandin();
  });
  afterEach(async () => {
    await h.close();
  });

  it('a payer who pays: page shows the amount, the server is notified and the result is paid', async () => {
    const input = h.operationInput();
    const { operationId, redirectUrl } = await h.client.createOperation(input);
    expect(redirectUrl).toBe(`${h.baseUrl}/tpa/paiementws.web?idop=${operationId}`);

    const page = await openPaymentPage(redirectUrl);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/19,99\s€/);
    expect(page.html).toContain('2026000123');
    expect(page.html).toContain('Facture 2026-000123 cantine fevrier');
    expect(page.idop).toBe(operationId);

    const choice = await submitChoice(h.origin, page, 'payer');
    expect(choice.status).toBe(303);
    expect(choice.location).toBe(`${h.origin}/payments/payfip/return?idop=${operationId}`);
    await h.notification(operationId);

    const result = await h.client.getResult(operationId);
    expect(result).toMatchObject({ state: 'paid', amountCents: 1999, reference: '2026000123', rawCode: 'P' });
    expect(result.authorisation).toMatch(/^[0-9]{6}$/);
    expect(result.paidAt).toEqual(h.clock.now()); // the test clock sits on a whole minute
    expect(resultConfirms(result, { reference: '2026000123', amountCents: 1999 })).toBe(true);
    expect(resultConfirms(result, { reference: '2026000123', amountCents: 2000 })).toBe(false);

    // The result can be asked for again (the app retries and polls), even after 15 minutes.
    h.clock.advance(60 * MINUTE);
    expect(await h.client.getResult(operationId)).toEqual(result);
    expect(h.errors).toEqual([]);
  });

  it('the payment page is plain accessible French HTML without inline script or style', async () => {
    const { redirectUrl } = await h.client.createOperation(h.operationInput());
    const response = await fetch(redirectUrl);
    const html = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<html lang="fr">');
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toContain('<link rel="stylesheet" href="/css/main.css">');
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('href="#contenu"');
    const buttons = [...html.matchAll(/<button[^>]*value="([a-z]+)"[^>]*>([^<]+)<\/button>/g)].map((m) => [
      m[1],
      m[2]?.replace(/[\u00a0\u202f]/g, ' '), // fr-FR puts a no-break space before €
    ]);
    expect(buttons).toEqual([
      ['payer', 'Payer 19,99 €'],
      ['refuser', 'Refuser le paiement'],
      ['abandonner', 'Abandonner et revenir au site'],
    ]);
  });

  it('a refused payment reads as refused', async () => {
    const { operationId, redirectUrl } = await h.client.createOperation(h.operationInput());
    const choice = await submitChoice(h.origin, await openPaymentPage(redirectUrl), 'refuser');
    expect(choice.status).toBe(303);
    await h.notification(operationId);
    const result = await h.client.getResult(operationId);
    expect(result).toMatchObject({
      state: 'refused',
      rawCode: 'R',
      amountCents: 1999,
      reference: '2026000123',
    });
    expect(result.authorisation).toBeUndefined();
    expect(result.paidAt).toBeUndefined();
    expect(resultConfirms(result, { reference: '2026000123', amountCents: 1999 })).toBe(false);
  });

  it('an abandoned payment reads as abandoned', async () => {
    const { operationId, redirectUrl } = await h.client.createOperation(h.operationInput());
    await submitChoice(h.origin, await openPaymentPage(redirectUrl), 'abandonner');
    await h.notification(operationId);
    expect(await h.client.getResult(operationId)).toMatchObject({ state: 'abandoned', rawCode: 'A' });
  });

  it('before the payer chooses the result is unknown (P5), then expired (P4) 15 minutes after creation', async () => {
    const { operationId, redirectUrl } = await h.client.createOperation(h.operationInput());
    expect(await h.client.getResult(operationId)).toEqual({ state: 'unknown', rawCode: 'P5' });
    h.clock.advance(15 * MINUTE - 1000);
    expect(await h.client.getResult(operationId)).toEqual({ state: 'unknown', rawCode: 'P5' });
    h.clock.advance(1000);
    expect(await h.client.getResult(operationId)).toEqual({ state: 'expired', rawCode: 'P4' });

    // The page cannot be used any more either.
    const page = await openPaymentPage(redirectUrl);
    expect(page.status).toBe(410);
    expect(page.html).toContain('P4');
    expect(h.notified).toEqual([]);
  });

  it('a page opened in time but submitted after 15 minutes is refused', async () => {
    const { operationId, redirectUrl } = await h.client.createOperation(h.operationInput());
    const page = await openPaymentPage(redirectUrl);
    h.clock.advance(16 * MINUTE);
    const choice = await submitChoice(h.origin, page, 'payer');
    expect(choice.status).toBe(410);
    expect(await h.client.getResult(operationId)).toEqual({ state: 'expired', rawCode: 'P4' });
  });

  it('an operation is usable once: its page and its form answer P3 after the choice', async () => {
    const { operationId, redirectUrl } = await h.client.createOperation(h.operationInput());
    const page = await openPaymentPage(redirectUrl);
    await submitChoice(h.origin, page, 'refuser');

    const again = await openPaymentPage(redirectUrl);
    expect(again.status).toBe(409);
    expect(again.html).toContain('P3');
    expect(again.html).toContain(`/payments/payfip/return?idop=${operationId}`);

    const resubmitted = await submitChoice(h.origin, page, 'payer');
    expect(resubmitted.status).toBe(409);
    expect(await h.client.getResult(operationId)).toMatchObject({ state: 'refused' });
  });

  it('the form is refused without the page nonce (its own CSRF protection)', async () => {
    const { operationId, redirectUrl } = await h.client.createOperation(h.operationInput());
    const page = await openPaymentPage(redirectUrl);
    for (const nonce of ['', 'forged', page.nonce.slice(1)]) {
      const choice = await submitChoice(h.origin, { ...page, nonce }, 'payer');
      expect(choice.status).toBe(403);
    }
    expect(await h.client.getResult(operationId)).toEqual({ state: 'unknown', rawCode: 'P5' });
    // The genuine form still works afterwards.
    expect((await submitChoice(h.origin, page, 'payer')).status).toBe(303);
    expect(await h.client.getResult(operationId)).toMatchObject({ state: 'paid' });
  });

  it('an unknown idOp is invalid (P1), on the result query and on the page', async () => {
    expect(await h.client.getResult('00000000-0000-4000-8000-000000000000')).toEqual({
      state: 'invalid',
      rawCode: 'P1',
    });
    expect(await h.client.getResult('<not an id>')).toEqual({ state: 'invalid', rawCode: 'P1' });
    const page = await openPaymentPage(
      `${h.baseUrl}/tpa/paiementws.web?idop=00000000-0000-4000-8000-000000000000`,
    );
    expect(page.status).toBe(404);
    expect(page.html).toContain('<html lang="fr">');
  });

  it('the return URL keeps its own query and gets idop added', async () => {
    const input = h.operationInput({ returnUrl: `${h.origin}/payments/payfip/return?invoice=42` });
    const { operationId, redirectUrl } = await h.client.createOperation(input);
    const choice = await submitChoice(h.origin, await openPaymentPage(redirectUrl), 'payer');
    expect(choice.location).toBe(`${h.origin}/payments/payfip/return?invoice=42&idop=${operationId}`);
  });

  it('a notification that cannot be delivered does not stop the payer, and is reported', async () => {
    const input = h.operationInput({ notificationUrl: 'http://127.0.0.1:1/unreachable' });
    const { operationId, redirectUrl } = await h.client.createOperation(input);
    const choice = await submitChoice(h.origin, await openPaymentPage(redirectUrl), 'payer');
    expect(choice.status).toBe(303);
    await expect.poll(() => h.errors.length).toBe(1);
    expect(h.errors[0]).toMatchObject({ during: 'notification', idOp: operationId });
    expect(await h.client.getResult(operationId)).toMatchObject({ state: 'paid' });
  });

  it('answers PayFiP faults to requests the client would refuse itself', async () => {
    const valid = {
      numcli: NUMCLI,
      exer: '2026',
      refdet: '2026000123',
      objet: 'Facture',
      montant: '1999',
      mel: 'parent@example.fr',
      urlnotif: `${h.origin}/payments/payfip/notify`,
      urlredirect: `${h.origin}/payments/payfip/return`,
      saisie: 'T',
    };
    const ask = async (
      arg0: Record<string, string>,
      operation: 'creerPaiementSecurise' | 'recupererDetailPaiementSecurise' = 'creerPaiementSecurise',
    ) => {
      const response = await fetch(`${h.baseUrl}/tpa/services/securite`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
        body: buildRequest(operation, arg0),
      });
      return { status: response.status, message: readSoap(await response.text()) };
    };
    const cases: Array<[Record<string, string>, string]> = [
      [{ montant: '99' }, 'M3'],
      [{ montant: '19.99' }, 'M1'],
      [{ montant: '10000000' }, 'M5'],
      [{ refdet: '2026-000123' }, 'R3'],
      [{ refdet: 'A'.repeat(31) }, 'R3'],
      [{ mel: '' }, 'A1'],
      [{ mel: 'a@b.c' }, 'A2'],
      [{ numcli: '12345' }, 'T1'],
      [{ saisie: 'Q' }, 'S1'],
      [{ urlnotif: 'ftp://example.fr/x' }, 'N1'],
      [{ urlredirect: `https://example.fr/${'x'.repeat(250)}` }, 'D1'],
    ];
    for (const [change, code] of cases) {
      const { status, message } = await ask({ ...valid, ...change });
      expect(status).toBe(500);
      expect(message).toMatchObject({
        kind: 'fault',
        code,
        faultString: 'fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur',
      });
    }
    const created = await ask(valid);
    expect(created.status).toBe(200);
    expect(created.message).toMatchObject({
      kind: 'body',
      operation: 'creerPaiementSecuriseResponse',
      namespace: PAYFIP_NAMESPACE,
    });

    expect((await ask({ idOp: 'nope' }, 'recupererDetailPaiementSecurise')).message).toMatchObject({
      kind: 'fault',
      code: 'P1',
    });
  });

  it('refuses unreadable SOAP with a client fault', async () => {
    for (const body of [
      'not xml',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
      buildRequest('creerPaiementSecurise', {}).replace(PAYFIP_NAMESPACE, 'urn:other'),
    ]) {
      const response = await fetch(`${h.baseUrl}/tpa/services/securite`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        body,
      });
      expect(response.status).toBe(500);
      expect(readSoap(await response.text())).toMatchObject({ kind: 'fault' });
    }
  });
});

describe('PayFiP stand-in store', () => {
  it('two app processes sharing one store serve the same operation', async () => {
    const store = createMemoryStandinStore();
    const a = await startStandin({ store });
    const b = await startStandin({ store });
    try {
      const { operationId } = await a.client.createOperation(a.operationInput());
      const page = await openPaymentPage(`${b.baseUrl}/tpa/paiementws.web?idop=${operationId}`);
      expect(page.status).toBe(200);
      expect((await submitChoice(b.origin, page, 'payer')).status).toBe(303);
      await a.notification(operationId);
      expect(await a.client.getResult(operationId)).toMatchObject({ state: 'paid', amountCents: 1999 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('records a choice once (compare-and-set) and hands out copies', async () => {
    const store = createMemoryStandinStore();
    const op = {
      idOp: 'abc',
      numcli: NUMCLI,
      exer: '2026',
      refdet: 'R1',
      objet: '',
      montant: '100',
      mel: 'parent@example.fr',
      urlnotif: 'http://localhost/n',
      urlredirect: 'http://localhost/r',
      saisie: 'T',
      nonce: 'n',
      createdAt: new Date('2026-03-02T10:00:00Z'),
      result: null,
    };
    await store.put(op);
    await expect(store.put(op)).rejects.toThrow();
    const result = {
      resultrans: 'P' as const,
      numauto: '123456',
      dattrans: '02032026',
      heurtrans: '1100',
      decidedAt: new Date(),
    };
    expect(await store.update('abc', { result })).toBe(true);
    expect(await store.update('abc', { result: { ...result, resultrans: 'R' } })).toBe(false);
    expect(await store.update('missing', { result })).toBe(false);
    const read = await store.get('abc');
    expect(read?.result?.resultrans).toBe('P');
    expect(read?.createdAt).toBeInstanceOf(Date);
    read!.montant = '1';
    expect((await store.get('abc'))?.montant).toBe('100');
  });
});

describe('PayFiP stand-in guard', () => {
  it('refuses to be created in production', () => {
    expect(() => createPayfipStandin({ clock: { now: () => new Date() }, production: true })).toThrow(
      /production/,
    );
    expect(() => createPayfipStandin({ clock: { now: () => new Date() }, production: false })).not.toThrow();
  });
});
