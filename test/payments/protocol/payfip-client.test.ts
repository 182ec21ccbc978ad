// The PayFiP client on its own: what it refuses before any HTTP call, and how it reads
// PayFiP's answers (including ones shaped like the real service's, prefixes and all).
import { describe, expect, it } from 'vitest';
import { createPayfipClient } from '../../../src/payments/payfip/client.js';
import { PaymentProviderError, type CreateOperationInput } from '../../../src/payments/provider.js';
import { PAYFIP_NAMESPACE, readSoap } from '../../../src/payments/payfip/soap.js';

const input: CreateOperationInput = {
  reference: '2026000123',
  amountCents: 1999,
  payerEmail: 'parent@example.fr',
  label: 'Facture 2026-000123',
  notificationUrl: 'https://portail.example.fr/payments/payfip/notify',
  returnUrl: 'https://portail.example.fr/payments/payfip/return',
  exer: 2026,
};

/** A fetch that records requests and answers with the given status and body. */
function fakeFetch(answer: (body: string) => { status: number; body: string }) {
  const requests: Array<{ url: string; body: string; headers: Headers }> = [];
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    const body = String(init?.body ?? '');
    requests.push({ url: String(url), body, headers: new Headers(init?.headers) });
    const { status, body: text } = answer(body);
    return new Response(text, { status, headers: { 'Content-Type': 'text/xml;charset=utf-8' } });
  }) as typeof fetch;
  return { impl, requests };
}

const client = (fetchImpl: typeof fetch) =>
  createPayfipClient({
    baseUrl: 'https://www.payfip.gouv.fr/',
    numcli: '123456',
    saisie: 'T',
    timeoutMs: 2000,
    fetch: fetchImpl,
  });

// Shaped like PayFiP's own answers (JAX-WS: S: and ns2: prefixes).
const realEnvelope = (body: string) =>
  `<?xml version='1.0' encoding='UTF-8'?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>${body}</S:Body></S:Envelope>`;
const realFault = (code: string, text: string) =>
  realEnvelope(
    `<S:Fault xmlns:ns4="http://www.w3.org/2003/05/soap-envelope"><faultcode>S:Server</faultcode>` +
      `<faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur</faultstring>` +
      `<detail><ns2:FonctionnelleErreur xmlns:ns2="${PAYFIP_NAMESPACE}"><code>${code}</code><descriptif>${text}</descriptif>` +
      `<libelle>${text}</libelle><message>${text}</message><severite>2</severite></ns2:FonctionnelleErreur></detail></S:Fault>`,
  );
const realDetail = (fields: Record<string, string>) =>
  realEnvelope(
    `<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="${PAYFIP_NAMESPACE}"><return>` +
      Object.entries(fields)
        .map(([k, v]) => `<${k}>${v}</${k}>`)
        .join('') +
      `</return></ns2:recupererDetailPaiementSecuriseResponse>`,
  );
const IDOP = 'cc0cb210-1cd4-11ea-8cca-0213ad91a103';
const detail = {
  dattrans: '12122019',
  exer: '2019',
  heurtrans: '1311',
  idOp: IDOP,
  mel: 'parent@example.fr',
  montant: '1000',
  numauto: '112233445566-tip',
  numcli: '123456',
  objet: 'Cantine &amp; garderie',
  refdet: 'EFEFAEFG',
  resultrans: 'V',
  saisie: 'T',
};

describe('PayFiP client: inputs refused before any HTTP call', () => {
  const cases: Array<[Partial<CreateOperationInput>, string]> = [
    [{ reference: '2026-000123' }, 'R3'],
    [{ reference: '' }, 'R3'],
    [{ reference: 'A'.repeat(31) }, 'R3'],
    [{ reference: 'Facture é' }, 'R3'],
    [{ amountCents: 99 }, 'M3'],
    [{ amountCents: 0 }, 'M3'],
    [{ amountCents: -500 }, 'M1'],
    [{ amountCents: 19.99 }, 'M1'],
    [{ amountCents: 10_000_000 }, 'M5'],
    [{ payerEmail: '' }, 'A1'],
    [{ payerEmail: 'a@b.c' }, 'A2'],
    [{ payerEmail: `${'x'.repeat(75)}@example.fr` }, 'A2'],
    [{ payerEmail: 'pas une adresse' }, 'A2'],
    [{ notificationUrl: '/payments/payfip/notify' }, 'N1'],
    [{ notificationUrl: `https://portail.example.fr/${'n'.repeat(230)}` }, 'N1'],
    [{ returnUrl: 'javascript:alert(1)' }, 'D1'],
    [{ exer: 26 }, 'E1'],
  ];
  for (const [change, code] of cases) {
    it(`${JSON.stringify(change).slice(0, 60)} → ${code}`, async () => {
      const { impl, requests } = fakeFetch(() => ({ status: 200, body: '' }));
      const error = await client(impl)
        .createOperation({ ...input, ...change })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentProviderError);
      expect(error).toMatchObject({ code, kind: 'input' });
      expect(requests).toHaveLength(0);
    });
  }

  it('refuses a bad configuration at creation', () => {
    const { impl } = fakeFetch(() => ({ status: 200, body: '' }));
    const make = (over: Record<string, unknown>) => () =>
      createPayfipClient({
        baseUrl: 'https://www.payfip.gouv.fr',
        numcli: '123456',
        saisie: 'T',
        timeoutMs: 1000,
        fetch: impl,
        ...over,
      });
    expect(make({ numcli: '12345' })).toThrow(expect.objectContaining({ code: 'T1', kind: 'config' }));
    expect(make({ saisie: 'Q' })).toThrow(expect.objectContaining({ code: 'S1', kind: 'config' }));
    expect(make({ baseUrl: 'payfip' })).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(make({ timeoutMs: 0 })).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(make({})).not.toThrow();
  });
});

describe('PayFiP client: the SOAP it sends and reads', () => {
  it('sends creerPaiementSecurise with the documented arguments and builds the redirect', async () => {
    const { impl, requests } = fakeFetch(() => ({
      status: 200,
      body: realEnvelope(
        `<ns2:creerPaiementSecuriseResponse xmlns:ns2="${PAYFIP_NAMESPACE}"><return><idOp>${IDOP}</idOp></return></ns2:creerPaiementSecuriseResponse>`,
      ),
    }));
    const created = await client(impl).createOperation({
      ...input,
      label: 'Facture n° 12 — été <cantine> & garderie',
    });
    expect(created).toEqual({
      operationId: IDOP,
      redirectUrl: `https://www.payfip.gouv.fr/tpa/paiementws.web?idop=${IDOP}`,
    });

    const [request] = requests;
    expect(request?.url).toBe('https://www.payfip.gouv.fr/tpa/services/securite');
    expect(request?.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(request?.headers.get('soapaction')).toBe('""');
    const sent = readSoap(request?.body ?? '');
    expect(sent).toMatchObject({
      kind: 'body',
      operation: 'creerPaiementSecurise',
      namespace: PAYFIP_NAMESPACE,
    });
    const content = sent.kind === 'body' ? sent.content : '';
    const leaf = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(content)?.[1];
    expect({
      numcli: leaf('numcli'),
      exer: leaf('exer'),
      refdet: leaf('refdet'),
      objet: leaf('objet'),
      montant: leaf('montant'),
      mel: leaf('mel'),
      urlnotif: leaf('urlnotif'),
      urlredirect: leaf('urlredirect'),
      saisie: leaf('saisie'),
    }).toEqual({
      numcli: '123456',
      exer: '2026',
      refdet: '2026000123',
      objet: 'Facture n 12 ete cantine garderie',
      montant: '1999',
      mel: 'parent@example.fr',
      urlnotif: input.notificationUrl,
      urlredirect: input.returnUrl,
      saisie: 'T',
    });
  });

  it('reads a direct-debit result (V) with its time in Paris', async () => {
    const { impl, requests } = fakeFetch(() => ({ status: 200, body: realDetail(detail) }));
    const result = await client(impl).getResult(IDOP);
    expect(result).toEqual({
      state: 'paid_debit_pending',
      rawCode: 'V',
      amountCents: 1000,
      reference: 'EFEFAEFG',
      authorisation: '112233445566-tip',
      paidAt: new Date('2019-12-12T12:11:00Z'), // 13:11 in Paris, winter time
    });
    expect(requests[0]?.body).toContain(`<arg0><idOp>${IDOP}</idOp></arg0>`);
  });

  it('maps each resultrans', async () => {
    const states = { P: 'paid', V: 'paid_debit_pending', A: 'abandoned', R: 'refused', Z: 'refused' };
    for (const [resultrans, state] of Object.entries(states)) {
      const { impl } = fakeFetch(() => ({ status: 200, body: realDetail({ ...detail, resultrans }) }));
      expect((await client(impl).getResult(IDOP)).state).toBe(state);
    }
  });

  it('maps P1, P3, P4, P5 faults to states and throws on the others', async () => {
    const states = { P1: 'invalid', P3: 'invalid', P4: 'expired', P5: 'unknown' };
    for (const [code, state] of Object.entries(states)) {
      const { impl } = fakeFetch(() => ({ status: 500, body: realFault(code, 'x') }));
      expect(await client(impl).getResult(IDOP)).toEqual({ state, rawCode: code });
    }
    const { impl } = fakeFetch(() => ({
      status: 500,
      body: realFault('T4', "Le client n'a pas d'accès sécurisé"),
    }));
    await expect(client(impl).getResult(IDOP)).rejects.toMatchObject({ code: 'T4', kind: 'fault' });
  });

  it('throws the fault code when PayFiP refuses an operation', async () => {
    const { impl } = fakeFetch(() => ({ status: 500, body: realFault('T2', 'Client inconnu') }));
    const error = await client(impl)
      .createOperation(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentProviderError);
    expect(error).toMatchObject({ code: 'T2', kind: 'fault' });
  });

  it('refuses answers it cannot trust', async () => {
    const answers: Array<[number, string, string]> = [
      [200, realDetail({ ...detail, idOp: '11111111-1cd4-11ea-8cca-0213ad91a103' }), 'MALFORMED'], // about another operation
      [200, realDetail({ ...detail, numcli: '654321' }), 'MALFORMED'], // another town
      [200, realDetail({ ...detail, resultrans: 'Q' }), 'MALFORMED'],
      [200, realDetail({ ...detail, montant: '10.00' }), 'MALFORMED'],
      [200, realDetail({ ...detail, objet: 'a &unknown; entity' }), 'MALFORMED'],
      [
        200,
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${realDetail(detail).replace(/^<\?xml[^>]*>/, '')}`,
        'MALFORMED',
      ],
      [
        200,
        realDetail(detail).replace('<refdet>EFEFAEFG</refdet>', '<refdet>A</refdet><refdet>B</refdet>'),
        'MALFORMED',
      ],
      [200, realDetail(detail).replace('</return>', ''), 'MALFORMED'],
      [200, '{"json": true}', 'MALFORMED'],
      [502, '<html><body>Bad gateway</body></html>', 'HTTP'],
      [404, realDetail(detail), 'HTTP'],
    ];
    for (const [status, body, code] of answers) {
      const { impl } = fakeFetch(() => ({ status, body }));
      await expect(client(impl).getResult(IDOP), body.slice(0, 80)).rejects.toMatchObject({
        code,
        kind: 'transport',
      });
    }
  });

  it('gives up after timeoutMs', async () => {
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const slow = createPayfipClient({
      baseUrl: 'https://www.payfip.gouv.fr',
      numcli: '123456',
      saisie: 'T',
      timeoutMs: 50,
      fetch: hanging,
    });
    await expect(slow.getResult(IDOP)).rejects.toMatchObject({ code: 'TIMEOUT', kind: 'transport' });
  });

  it('reports a network failure as a transport error', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const down = createPayfipClient({
      baseUrl: 'https://www.payfip.gouv.fr',
      numcli: '123456',
      saisie: 'T',
      timeoutMs: 50,
      fetch: failing,
    });
    await expect(down.createOperation(input)).rejects.toMatchObject({ code: 'NETWORK', kind: 'transport' });
  });
});
