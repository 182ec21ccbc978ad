// SEPA Direct Debit export (pain.008.001.02, CORE), built with the `sepa` package.
// FRST and RCUR transactions go into separate payment information blocks, as the scheme
// requires. Money comes in as integer cents; every amount and control sum written to the file
// is computed from cents (the package would otherwise add floats).
import SEPA from 'sepa';
import { electronicFormatIBAN, extractBIC, isSEPACountry, validateBIC, validateIBAN } from 'ibantools';
import { XmlFormatError, assertPlainXml, element, elements, requiredLeaf } from '../payfip/xml.js';

const PAIN_008_FORMAT = 'pain.008.001.02';

type SequenceType = 'FRST' | 'RCUR';

interface SepaCreditor {
  name: string;
  iban: string;
  bic: string;
  /** The creditor identifier (ICS in France), e.g. FR72ZZZ123456. */
  creditorId: string;
}

export interface DirectDebitTransaction {
  /** Unique per transaction, up to 35 characters of the SEPA set, e.g. the invoice number. */
  endToEndId: string;
  amountCents: number;
  /** The mandate's unique reference (RUM). */
  mandateId: string;
  /** 'YYYY-MM-DD' */
  mandateSignedOn: string;
  sequenceType: SequenceType;
  debtorName: string;
  debtorIban: string;
  /** Optional since IBAN-only SEPA; written as NOTPROVIDED when absent. */
  debtorBic?: string;
  remittanceInfo: string;
}

export interface Pain008Input {
  creditor: SepaCreditor;
  /** Unique per file, up to 35 characters of the SEPA set. */
  messageId: string;
  /** Requested collection date, 'YYYY-MM-DD'. */
  collectionDate: string;
  /** The file's creation instant (injected clock). Written as UTC. */
  createdAt: Date;
  transactions: DirectDebitTransaction[];
}

export class SepaExportError extends Error {
  override readonly name = 'SepaExportError';
  constructor(
    /** e.g. 'message_id_invalid', 'amount_invalid', 'iban_invalid', 'end_to_end_id_duplicated' */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SEPA identifiers: the restricted Latin set, no leading "/", no "//". */
const SEPA_ID = /^[A-Za-z0-9+?/:().,'-]{1,35}$/;
const isSepaId = (value: string) => SEPA_ID.test(value) && !value.startsWith('/') && !value.includes('//');
const MAX_AMOUNT_CENTS = 99_999_999_999; // 999 999 999,99 € (the schema's ceiling)

function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** A calendar day as the package wants it: a Date whose UTC date is that day. */
const dayAsDate = (day: string) => new Date(`${day}T00:00:00Z`);

/** Cents → a decimal Number that toFixed(2) prints exactly (n / 100 is the nearest double). */
const centsToNumber = (cents: number) => cents / 100;

/**
 * Free text reduced to the SEPA Latin character set (accents removed, other characters
 * replaced by spaces) and cut to the field's length: French banks reject the rest.
 */
function toSepaText(value: string, maxLength: number): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[œŒæÆß]/g, (c) => ({ œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss' })[c] ?? '')
    .replace(/[^A-Za-z0-9/?:().,'+ -]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxLength)
    .trim();
}

type IbanBicErrorCode =
  'iban_missing' | 'iban_invalid' | 'iban_not_sepa' | 'bic_invalid' | 'bic_country_mismatch';

export type IbanBicCheck =
  { ok: true; iban: string; bic: string | undefined } | { ok: false; errors: IbanBicErrorCode[] };

// Territories whose banks use the French IBAN prefix (and the like), as the sepa package accepts.
const IBAN_TERRITORIES: Record<string, string[]> = {
  FR: ['GF', 'GP', 'MQ', 'RE', 'PF', 'TF', 'YT', 'NC', 'BL', 'MF', 'PM', 'WF'],
  FI: ['AX'],
  GB: ['IM', 'JE', 'GG'],
};

/**
 * Checks an IBAN and an optional BIC (spaces and case ignored) with ibantools. On success gives
 * them back in electronic format (upper case, no spaces); the BIC, when given, must be of the
 * IBAN's country.
 */
export function validateIbanBic(iban: string, bic?: string | null): IbanBicCheck {
  const errors: IbanBicErrorCode[] = [];
  const normalisedIban = (electronicFormatIBAN(iban) ?? '').toUpperCase();
  const normalisedBic = (bic ?? '').replace(/\s+/g, '').toUpperCase();
  const ibanCountry = normalisedIban.slice(0, 2);

  if (normalisedIban === '') errors.push('iban_missing');
  else if (!validateIBAN(normalisedIban).valid) errors.push('iban_invalid');
  else if (!isSEPACountry(ibanCountry)) errors.push('iban_not_sepa');

  if (normalisedBic !== '') {
    if (!validateBIC(normalisedBic).valid) errors.push('bic_invalid');
    else if (errors.length === 0) {
      const bicCountry = extractBIC(normalisedBic).countryCode ?? '';
      if (bicCountry !== ibanCountry && !(IBAN_TERRITORIES[ibanCountry] ?? []).includes(bicCountry))
        errors.push('bic_country_mismatch');
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, iban: normalisedIban, bic: normalisedBic || undefined };
}

function checkAccount(
  iban: string,
  bic: string | undefined,
  who: string,
): { iban: string; bic: string | undefined } {
  const check = validateIbanBic(iban, bic);
  if (!check.ok) {
    const code = check.errors[0] ?? 'iban_invalid';
    throw new SepaExportError(code, `${who}: ${check.errors.join(', ')}`);
  }
  return { iban: check.iban, bic: check.bic };
}

/** Builds the pain.008.001.02 XML of one collection. Throws SepaExportError on bad input. */
export function buildPain008(input: Pain008Input): string {
  const { creditor, transactions } = input;
  if (!isSepaId(input.messageId))
    throw new SepaExportError('message_id_invalid', 'messageId: 1–35 SEPA characters');
  if (!isDay(input.collectionDate))
    throw new SepaExportError('collection_date_invalid', 'collectionDate: YYYY-MM-DD');
  if (!(input.createdAt instanceof Date) || Number.isNaN(input.createdAt.getTime()))
    throw new SepaExportError('created_at_invalid', 'createdAt: a valid Date');
  if (transactions.length === 0)
    throw new SepaExportError('no_transactions', 'a collection needs at least one transaction');
  if (!SEPA.validateCreditorID(creditor.creditorId.replace(/\s+/g, '').toUpperCase()))
    throw new SepaExportError(
      'creditor_id_invalid',
      'creditor.creditorId is not a valid creditor identifier',
    );
  const creditorAccount = checkAccount(creditor.iban, creditor.bic, 'creditor');
  if (!creditorAccount.bic) throw new SepaExportError('bic_invalid', 'creditor: a BIC is required');

  const seen = new Set<string>();
  for (const [index, tx] of transactions.entries()) {
    const where = `transactions[${index}]`;
    if (!isSepaId(tx.endToEndId))
      throw new SepaExportError('end_to_end_id_invalid', `${where}.endToEndId: 1–35 SEPA characters`);
    if (seen.has(tx.endToEndId))
      throw new SepaExportError('end_to_end_id_duplicated', `${where}.endToEndId is used twice`);
    seen.add(tx.endToEndId);
    if (!Number.isSafeInteger(tx.amountCents) || tx.amountCents < 1 || tx.amountCents > MAX_AMOUNT_CENTS)
      throw new SepaExportError('amount_invalid', `${where}.amountCents: a positive integer`);
    if (!isSepaId(tx.mandateId))
      throw new SepaExportError('mandate_id_invalid', `${where}.mandateId: 1–35 SEPA characters`);
    if (!isDay(tx.mandateSignedOn) || tx.mandateSignedOn > input.collectionDate)
      throw new SepaExportError(
        'mandate_date_invalid',
        `${where}.mandateSignedOn: YYYY-MM-DD, not after the collection`,
      );
    if (tx.sequenceType !== 'FRST' && tx.sequenceType !== 'RCUR')
      throw new SepaExportError('sequence_type_invalid', `${where}.sequenceType: FRST or RCUR`);
    if (toSepaText(tx.debtorName, 70) === '')
      throw new SepaExportError('debtor_name_missing', `${where}.debtorName is empty`);
  }

  const doc = new SEPA.Document(PAIN_008_FORMAT);
  doc.grpHdr.id = input.messageId;
  doc.grpHdr.created = input.createdAt;
  doc.grpHdr.initiatorName = toSepaText(creditor.name, 70);

  let fileCents = 0;
  for (const sequenceType of ['FRST', 'RCUR'] as const) {
    const group = transactions.filter((tx) => tx.sequenceType === sequenceType);
    if (group.length === 0) continue;

    const info = doc.createPaymentInfo();
    info.sequenceType = sequenceType;
    info.localInstrumentation = 'CORE';
    info.collectionDate = dayAsDate(input.collectionDate);
    info.creditorName = toSepaText(creditor.name, 70);
    info.creditorIBAN = creditorAccount.iban;
    info.creditorBIC = creditorAccount.bic;
    info.creditorId = creditor.creditorId.replace(/\s+/g, '').toUpperCase();
    info.batchBooking = true;
    doc.addPaymentInfo(info);
    // The package prefixes ids with the message id; keep PmtInfId within 35 characters.
    info.id = `${input.messageId.slice(0, 30)}-${sequenceType}`;

    let groupCents = 0;
    for (const item of group) {
      const account = checkAccount(item.debtorIban, item.debtorBic, `transaction ${item.endToEndId}`);
      const tx = info.createTransaction();
      tx.end2endId = item.endToEndId;
      tx.amount = centsToNumber(item.amountCents);
      tx.currency = 'EUR';
      tx.mandateId = item.mandateId;
      tx.mandateSignatureDate = dayAsDate(item.mandateSignedOn);
      tx.debtorName = toSepaText(item.debtorName, 70);
      tx.debtorIBAN = account.iban;
      tx.debtorBIC = account.bic ?? '';
      tx.remittanceInfo = toSepaText(item.remittanceInfo, 140);
      info.addTransaction(tx);
      // InstrId: unique within the file and within 35 characters (the package would make it longer).
      tx.id = item.endToEndId;
      groupCents += item.amountCents;
    }
    // Control sums from cents, not from the package's float additions.
    const exactGroupSum = centsToNumber(groupCents);
    info.normalize = () => {
      info.controlSum = exactGroupSum;
    };
    info.controlSum = exactGroupSum;
    fileCents += groupCents;
  }
  const exactFileSum = centsToNumber(fileCents);
  doc.normalize = () => {
    doc.grpHdr.controlSum = exactFileSum;
    doc.grpHdr.transactionCount = transactions.length;
  };

  try {
    return doc.toString();
  } catch (error) {
    // The package's own checks (lengths, character set, IBAN/BIC country) as one error type.
    throw new SepaExportError('sepa_invalid', error instanceof Error ? error.message : 'invalid SEPA data', {
      cause: error,
    });
  }
}

export interface ParsedPain008 {
  messageId: string;
  numberOfTransactions: number;
  controlSumCents: number;
  paymentInfos: Array<{
    id: string;
    sequenceType: string;
    collectionDate: string;
    numberOfTransactions: number;
    controlSumCents: number;
  }>;
  transactions: Array<{ endToEndId: string; amountCents: number; sequenceType: string; mandateId: string }>;
}

/** "53.33" → 5333, exactly (no float parsing). */
function decimalToCents(value: string): number {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) throw new XmlFormatError(`not an amount: ${value}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function count(value: string): number {
  if (!/^\d{1,15}$/.test(value.trim())) throw new XmlFormatError(`not a count: ${value}`);
  return Number(value.trim());
}

/** Reads back what buildPain008 writes (group header, payment infos, transactions). */
export function parsePain008(xml: string): ParsedPain008 {
  const document = assertPlainXml(xml);
  const root = element(document, 'CstmrDrctDbtInitn');
  if (!root) throw new XmlFormatError('not a pain.008 document');
  const header = element(root.inner, 'GrpHdr');
  if (!header) throw new XmlFormatError('no group header');

  const paymentInfos: ParsedPain008['paymentInfos'] = [];
  const transactions: ParsedPain008['transactions'] = [];
  for (const info of elements(root.inner, 'PmtInf')) {
    const txBlocks = elements(info.inner, 'DrctDbtTxInf');
    // The block's own fields sit before its transactions.
    const firstTx = info.inner.search(/<(?:[A-Za-z_][\w.-]*:)?DrctDbtTxInf[\s>]/);
    const head = firstTx < 0 ? info.inner : info.inner.slice(0, firstTx);
    const sequenceType = requiredLeaf(head, 'SeqTp');
    paymentInfos.push({
      id: requiredLeaf(head, 'PmtInfId'),
      sequenceType,
      collectionDate: requiredLeaf(head, 'ReqdColltnDt'),
      numberOfTransactions: count(requiredLeaf(head, 'NbOfTxs')),
      controlSumCents: decimalToCents(requiredLeaf(head, 'CtrlSum')),
    });
    for (const tx of txBlocks) {
      transactions.push({
        endToEndId: requiredLeaf(tx.inner, 'EndToEndId'),
        amountCents: decimalToCents(requiredLeaf(tx.inner, 'InstdAmt')),
        sequenceType,
        mandateId: requiredLeaf(tx.inner, 'MndtId'),
      });
    }
  }
  return {
    messageId: requiredLeaf(header.inner, 'MsgId'),
    numberOfTransactions: count(requiredLeaf(header.inner, 'NbOfTxs')),
    controlSumCents: decimalToCents(requiredLeaf(header.inner, 'CtrlSum')),
    paymentInfos,
    transactions,
  };
}
