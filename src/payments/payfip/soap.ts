// PayFiP's SOAP 1.1 messages, shared by the client (requests) and the stand-in (responses),
// so both speak exactly the shapes described in /work/shared/payfip.md.
import {
  XmlFormatError,
  assertPlainXml,
  element,
  elements,
  escapeXml,
  leafText,
  namespaceOf,
} from './xml.js';

export const PAYFIP_NAMESPACE =
  'http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService';
const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Paths under the PayFiP base URL (https://www.payfip.gouv.fr, or the stand-in's mount point). */
export const SERVICE_PATH = '/tpa/services/securite';
export const PAYMENT_PAGE_PATH = '/tpa/paiementws.web';

/** The faultstring PayFiP gives its functional errors; the code is in detail/FonctionnelleErreur/code. */
const FONCTIONNELLE_ERREUR = 'fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur';

export type PayfipOperation = 'creerPaiementSecurise' | 'recupererDetailPaiementSecurise';

/** Children of arg0 for creerPaiementSecurise, all strings as sent on the wire. */
export interface CreerPaiementSecuriseArgs {
  numcli: string;
  exer: string;
  refdet: string;
  objet: string;
  montant: string;
  mel: string;
  urlnotif: string;
  urlredirect: string;
  saisie: string;
}
export const CREER_ARG_NAMES = [
  'numcli',
  'exer',
  'refdet',
  'objet',
  'montant',
  'mel',
  'urlnotif',
  'urlredirect',
  'saisie',
] as const;

/** Children of return for recupererDetailPaiementSecurise (alphabetical, as PayFiP lists them). */
export const DETAIL_FIELD_NAMES = [
  'dattrans',
  'exer',
  'heurtrans',
  'idOp',
  'mel',
  'montant',
  'numauto',
  'numcli',
  'objet',
  'refdet',
  'resultrans',
  'saisie',
] as const;
export type PaiementDetail = Record<(typeof DETAIL_FIELD_NAMES)[number], string>;

function children(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
}

function envelope(body: string, extraNamespaces = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NAMESPACE}"${extraNamespaces}>` +
    `<soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

/** A request: <pai:operation><arg0>…</arg0></pai:operation>. */
export function buildRequest(operation: PayfipOperation, arg0: Record<string, string>): string {
  return envelope(
    `<pai:${operation}><arg0>${children(arg0)}</arg0></pai:${operation}>`,
    ` xmlns:pai="${PAYFIP_NAMESPACE}"`,
  );
}

/** A response: <ns2:operationResponse><return>…</return></ns2:operationResponse>. */
export function buildResponse(operation: PayfipOperation, fields: Record<string, string>): string {
  return envelope(
    `<ns2:${operation}Response xmlns:ns2="${PAYFIP_NAMESPACE}"><return>${children(fields)}</return></ns2:${operation}Response>`,
  );
}

/** A FonctionnelleErreur fault, as PayFiP sends it (HTTP 500). */
export function buildFonctionnelleFault(code: string, message: string): string {
  const detail =
    `<ns2:FonctionnelleErreur xmlns:ns2="${PAYFIP_NAMESPACE}">` +
    children({ code, descriptif: message, libelle: message, message, severite: '2' }) +
    `</ns2:FonctionnelleErreur>`;
  return envelope(
    `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>${FONCTIONNELLE_ERREUR}</faultstring><detail>${detail}</detail></soapenv:Fault>`,
  );
}

/** A plain fault without a PayFiP code (unreadable request, unknown operation). */
export function buildPlainFault(faultCode: 'Client' | 'Server', message: string): string {
  return envelope(
    `<soapenv:Fault><faultcode>soapenv:${faultCode}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault>`,
  );
}

export type SoapMessage =
  | { kind: 'fault'; faultString: string; code?: string; message?: string }
  | { kind: 'body'; operation: string; namespace: string | undefined; content: string };

/**
 * Reads a SOAP 1.1 envelope: either a fault (with the FonctionnelleErreur code when there is
 * one) or the single element of the Body (its local name, namespace and inner XML).
 * Throws XmlFormatError on anything else.
 */
export function readSoap(xml: string): SoapMessage {
  const document = assertPlainXml(xml);
  if (!/^\s*<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(document))
    throw new XmlFormatError('not a SOAP envelope');
  const envelopes = elements(document, 'Envelope');
  const envelopeElement = envelopes[0];
  if (envelopes.length !== 1 || !envelopeElement) throw new XmlFormatError('not a single SOAP envelope');
  if (namespaceOf(document, envelopeElement) !== SOAP_ENVELOPE_NAMESPACE)
    throw new XmlFormatError('not a SOAP 1.1 envelope');
  const body = element(envelopeElement.inner, 'Body');
  if (!body) throw new XmlFormatError('no SOAP body');

  const fault = element(body.inner, 'Fault');
  if (fault) {
    const faultString = leafText(fault.inner, 'faultstring') ?? '';
    const detail = element(fault.inner, 'detail');
    // PayFiP's functional (and technical) errors carry <code> and a message in the detail.
    const code = detail ? leafText(detail.inner, 'code') : undefined;
    const message = detail
      ? (leafText(detail.inner, 'descriptif') ??
        leafText(detail.inner, 'libelle') ??
        leafText(detail.inner, 'message'))
      : undefined;
    return { kind: 'fault', faultString, ...(code ? { code } : {}), ...(message ? { message } : {}) };
  }

  const first = /^\s*<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)[\s/>]/.exec(body.inner);
  if (!first?.[2]) throw new XmlFormatError('empty SOAP body');
  const operation = first[2];
  const operationElement = element(body.inner, operation);
  if (!operationElement) throw new XmlFormatError('unreadable SOAP body');
  return {
    kind: 'body',
    operation,
    namespace: namespaceOf(document, operationElement),
    content: operationElement.inner,
  };
}
