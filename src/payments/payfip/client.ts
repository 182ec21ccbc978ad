// The real PayFiP adapter: SOAP 1.1 over HTTP(S) with the global fetch (payfip.md).
// Inputs are checked before any call with PayFiP's own rules and codes; faults P1/P3/P4/P5 of
// the result query are states, every other problem is a PaymentProviderError.
import { DateTime } from 'luxon';
import {
  PaymentProviderError,
  type CreateOperationInput,
  type CreatedOperation,
  type OperationResult,
  type PaymentProvider,
  type PaymentState,
} from '../provider.js';
import {
  IDOP_PATTERN,
  NUMCLI_PATTERN,
  SAISIE_VALUES,
  checkCreerArgs,
  normaliseObjet,
  type PayfipSaisie,
} from './rules.js';
import {
  DETAIL_FIELD_NAMES,
  PAYMENT_PAGE_PATH,
  SERVICE_PATH,
  buildRequest,
  readSoap,
  type CreerPaiementSecuriseArgs,
  type PayfipOperation,
  type SoapMessage,
} from './soap.js';
import { XmlFormatError, element, leafText } from './xml.js';

export interface PayfipClientConfig {
  /** https://www.payfip.gouv.fr in production, or the stand-in's mount URL (no trailing slash needed). */
  baseUrl: string;
  /** The town's PayFiP client number (6 digits). */
  numcli: string;
  /** T test, X activation, W production. */
  saisie: PayfipSaisie;
  /** Per call, connection and body included. */
  timeoutMs: number;
  /** Defaults to the global fetch (tests may pass their own). */
  fetch?: typeof fetch;
}

/** Answers larger than this are not PayFiP's. */
const MAX_RESPONSE_BYTES = 256 * 1024;

const RESULT_STATES: Record<string, PaymentState> = {
  P: 'paid',
  V: 'paid_debit_pending',
  A: 'abandoned',
  R: 'refused',
  Z: 'refused',
};

const FAULT_STATES: Record<string, PaymentState> = {
  P5: 'unknown',
  P4: 'expired',
  P1: 'invalid',
  P3: 'invalid',
};

export function createPayfipClient(config: PayfipClientConfig): PaymentProvider {
  const baseUrl = checkBaseUrl(config.baseUrl);
  if (!NUMCLI_PATTERN.test(config.numcli))
    throw new PaymentProviderError('T1', 'PayFiP numcli must be 6 digits', 'config');
  if (!(SAISIE_VALUES as readonly string[]).includes(config.saisie))
    throw new PaymentProviderError('S1', 'PayFiP saisie must be T, X or W', 'config');
  if (!Number.isInteger(config.timeoutMs) || config.timeoutMs <= 0)
    throw new PaymentProviderError('CONFIG', 'timeoutMs must be a positive integer', 'config');
  const fetchImpl = config.fetch ?? globalThis.fetch;
  const endpoint = `${baseUrl}${SERVICE_PATH}`;

  async function call(operation: PayfipOperation, arg0: Record<string, string>): Promise<SoapMessage> {
    let text: string;
    let status: number;
    try {
      const response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', Accept: 'text/xml' },
        body: buildRequest(operation, arg0),
        signal: AbortSignal.timeout(config.timeoutMs),
        redirect: 'error', // a SOAP endpoint that redirects is misconfigured
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new PaymentProviderError(
        timedOut ? 'TIMEOUT' : 'NETWORK',
        timedOut
          ? `PayFiP ${operation}: no answer within ${config.timeoutMs} ms`
          : `PayFiP ${operation}: network error`,
        'transport',
        { cause: error },
      );
    }
    if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES)
      throw new PaymentProviderError('MALFORMED', `PayFiP ${operation}: response too large`, 'transport');
    let message: SoapMessage;
    try {
      message = readSoap(text);
    } catch (error) {
      if (!(error instanceof XmlFormatError)) throw error;
      const code = status >= 200 && status < 300 ? 'MALFORMED' : 'HTTP';
      throw new PaymentProviderError(
        code,
        `PayFiP ${operation}: unreadable response (HTTP ${status})`,
        'transport',
        { cause: error },
      );
    }
    // SOAP faults come with HTTP 500; a body with any other non-2xx status is not trusted.
    if (message.kind === 'body' && (status < 200 || status >= 300))
      throw new PaymentProviderError('HTTP', `PayFiP ${operation}: HTTP ${status}`, 'transport');
    if (message.kind === 'body' && message.operation !== `${operation}Response`)
      throw new PaymentProviderError(
        'MALFORMED',
        `PayFiP ${operation}: unexpected ${message.operation}`,
        'transport',
      );
    return message;
  }

  function faultError(
    operation: PayfipOperation,
    fault: Extract<SoapMessage, { kind: 'fault' }>,
  ): PaymentProviderError {
    return new PaymentProviderError(
      fault.code ?? 'SOAP_FAULT',
      `PayFiP ${operation}: ${fault.code ?? 'fault'} ${fault.message ?? fault.faultString}`.trim(),
      'fault',
    );
  }

  /** Reads the return element's leaves; any unreadable piece is a transport error. */
  function readReturn<T>(operation: PayfipOperation, content: string, read: (returned: string) => T): T {
    try {
      const returned = element(content, 'return');
      if (!returned) throw new XmlFormatError('no return element');
      return read(returned.inner);
    } catch (error) {
      if (error instanceof PaymentProviderError) throw error;
      throw new PaymentProviderError('MALFORMED', `PayFiP ${operation}: unreadable response`, 'transport', {
        cause: error,
      });
    }
  }

  return {
    async createOperation(input: CreateOperationInput): Promise<CreatedOperation> {
      if (!Number.isSafeInteger(input.amountCents))
        throw new PaymentProviderError('M1', 'amountCents must be an integer number of cents', 'input');
      if (!Number.isInteger(input.exer)) throw new PaymentProviderError('E1', 'exer must be a year', 'input');
      const args: CreerPaiementSecuriseArgs = {
        numcli: config.numcli,
        exer: String(input.exer),
        refdet: input.reference,
        objet: normaliseObjet(input.label),
        montant: String(input.amountCents),
        mel: input.payerEmail,
        urlnotif: input.notificationUrl,
        urlredirect: input.returnUrl,
        saisie: config.saisie,
      };
      const violation = checkCreerArgs(args);
      if (violation) throw new PaymentProviderError(violation.code, violation.message, 'input');

      const message = await call('creerPaiementSecurise', { ...args });
      if (message.kind === 'fault') throw faultError('creerPaiementSecurise', message);
      const idOp = readReturn('creerPaiementSecurise', message.content, (returned) =>
        leafText(returned, 'idOp'),
      );
      if (!idOp || !IDOP_PATTERN.test(idOp))
        throw new PaymentProviderError(
          'MALFORMED',
          'PayFiP creerPaiementSecurise: missing or odd idOp',
          'transport',
        );
      return {
        operationId: idOp,
        redirectUrl: `${baseUrl}${PAYMENT_PAGE_PATH}?idop=${encodeURIComponent(idOp)}`,
      };
    },

    async getResult(operationId: string): Promise<OperationResult> {
      // An idOp PayFiP could never have issued is unknown to it: no need to ask.
      if (!IDOP_PATTERN.test(operationId)) return { state: 'invalid', rawCode: 'P1' };
      const message = await call('recupererDetailPaiementSecurise', { idOp: operationId });
      if (message.kind === 'fault') {
        const state = message.code ? FAULT_STATES[message.code] : undefined;
        if (state && message.code) return { state, rawCode: message.code };
        throw faultError('recupererDetailPaiementSecurise', message);
      }
      const detail = readReturn('recupererDetailPaiementSecurise', message.content, (returned) => {
        const fields: Partial<Record<(typeof DETAIL_FIELD_NAMES)[number], string>> = {};
        for (const name of DETAIL_FIELD_NAMES) {
          const value = leafText(returned, name);
          if (value !== undefined) fields[name] = value.trim();
        }
        return fields;
      });
      const malformed = (why: string) =>
        new PaymentProviderError('MALFORMED', `PayFiP recupererDetailPaiementSecurise: ${why}`, 'transport');

      const state = detail.resultrans ? RESULT_STATES[detail.resultrans] : undefined;
      if (!state) throw malformed('unknown resultrans');
      // The answer must be about the operation asked for, for this town.
      if (detail.idOp !== operationId) throw malformed('idOp differs from the one asked for');
      if (detail.numcli !== undefined && detail.numcli !== config.numcli)
        throw malformed('numcli differs from ours');
      if (!detail.montant || !/^[0-9]{1,12}$/.test(detail.montant)) throw malformed('missing or odd montant');

      const result: OperationResult = {
        state,
        rawCode: detail.resultrans,
        amountCents: Number(detail.montant),
      };
      if (detail.refdet) result.reference = detail.refdet;
      if (detail.numauto) result.authorisation = detail.numauto;
      if (state === 'paid' || state === 'paid_debit_pending') {
        const paidAt = parseTransactionTime(detail.dattrans, detail.heurtrans);
        if (paidAt) result.paidAt = paidAt;
      }
      return result;
    },
  };
}

function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new PaymentProviderError('CONFIG', 'PayFiP baseUrl is not a URL', 'config', { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new PaymentProviderError('CONFIG', 'PayFiP baseUrl must be http(s)', 'config');
  if (url.search || url.hash)
    throw new PaymentProviderError('CONFIG', 'PayFiP baseUrl must not have a query', 'config');
  return url.href.replace(/\/+$/, '');
}

/** dattrans JJMMAAAA + heurtrans HHMM, French wall-clock time. */
function parseTransactionTime(dattrans: string | undefined, heurtrans: string | undefined): Date | undefined {
  if (!dattrans || !/^[0-9]{8}$/.test(dattrans)) return undefined;
  const time = heurtrans && /^[0-9]{4}$/.test(heurtrans) ? heurtrans : '0000';
  const parsed = DateTime.fromFormat(`${dattrans}${time}`, 'ddLLyyyyHHmm', { zone: 'Europe/Paris' });
  return parsed.isValid ? parsed.toJSDate() : undefined;
}
