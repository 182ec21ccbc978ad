// The monthly SEPA direct debit file: built with the sepa package, read back, totals exact.
import { describe, expect, it } from 'vitest';
import {
  SepaExportError,
  buildPain008,
  parsePain008,
  validateIbanBic,
  type DirectDebitTransaction,
  type Pain008Input,
} from '../../../src/payments/sepa/pain008.js';

const creditor = {
  name: 'Trésorerie de Saint-Étienne-du-Bois',
  iban: 'FR76 3000 1007 9412 3456 7890 185',
  bic: 'BDFEFRPPCCT',
  creditorId: 'FR72ZZZ123456',
};

const transactions: DirectDebitTransaction[] = [
  {
    endToEndId: '2026000123',
    amountCents: 1999,
    mandateId: 'RUM-2025-000001',
    mandateSignedOn: '2025-09-01',
    sequenceType: 'FRST',
    debtorName: 'Hélène Dupré',
    debtorIban: 'fr14 2004 1010 0505 0001 3m02 606',
    debtorBic: 'psstfrpplil',
    remittanceInfo: 'Facture 2026-000123 février',
  },
  {
    endToEndId: '2026000124',
    amountCents: 1,
    mandateId: 'RUM-2024-000002',
    mandateSignedOn: '2024-09-01',
    sequenceType: 'RCUR',
    debtorName: 'Jean Martin',
    debtorIban: 'DE89370400440532013000',
    remittanceInfo: 'Facture 2026-000124',
  },
  {
    endToEndId: '2026000125',
    amountCents: 3333,
    mandateId: 'RUM-2024-000003',
    mandateSignedOn: '2024-09-01',
    sequenceType: 'RCUR',
    debtorName: 'Zoë Lefèvre',
    debtorIban: 'FR7630006000011234567890189',
    debtorBic: 'AGRIFRPP',
    remittanceInfo: 'Facture 2026-000125',
  },
];

const input: Pain008Input = {
  creditor,
  messageId: 'PRLV-2026-03',
  collectionDate: '2026-03-10',
  createdAt: new Date('2026-03-01T09:30:00Z'),
  transactions,
};

describe('pain.008.001.02 export', () => {
  it('writes what it was given, FRST and RCUR apart, with exact totals', () => {
    const xml = buildPain008(input);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"');

    const parsed = parsePain008(xml);
    expect(parsed.messageId).toBe('PRLV-2026-03');
    expect(parsed.numberOfTransactions).toBe(3);
    expect(parsed.controlSumCents).toBe(1999 + 1 + 3333);
    expect(parsed.controlSumCents).toBe(5333);
    expect(parsed.paymentInfos).toEqual([
      {
        id: 'PRLV-2026-03-FRST',
        sequenceType: 'FRST',
        collectionDate: '2026-03-10',
        numberOfTransactions: 1,
        controlSumCents: 1999,
      },
      {
        id: 'PRLV-2026-03-RCUR',
        sequenceType: 'RCUR',
        collectionDate: '2026-03-10',
        numberOfTransactions: 2,
        controlSumCents: 3334,
      },
    ]);
    expect(parsed.transactions).toEqual([
      { endToEndId: '2026000123', amountCents: 1999, sequenceType: 'FRST', mandateId: 'RUM-2025-000001' },
      { endToEndId: '2026000124', amountCents: 1, sequenceType: 'RCUR', mandateId: 'RUM-2024-000002' },
      { endToEndId: '2026000125', amountCents: 3333, sequenceType: 'RCUR', mandateId: 'RUM-2024-000003' },
    ]);
    expect(xml).toContain('<CtrlSum>53.33</CtrlSum>');
    expect(xml).toContain('<InstdAmt Ccy="EUR">0.01</InstdAmt>');
  });

  it('writes the parties as banks want them', () => {
    const xml = buildPain008(input);
    expect(xml).toContain('<CreDtTm>2026-03-01T09:30:00</CreDtTm>');
    expect(xml).toContain('<ReqdColltnDt>2026-03-10</ReqdColltnDt>');
    expect(xml).toContain('<DtOfSgntr>2025-09-01</DtOfSgntr>');
    expect(xml).toContain('<LclInstrm><Cd>CORE</Cd></LclInstrm>');
    expect(xml).toContain('<Id>FR72ZZZ123456</Id>');
    expect(xml).toContain('<IBAN>FR7630001007941234567890185</IBAN>');
    expect(xml).toContain('<IBAN>FR1420041010050500013M02606</IBAN>'); // normalised
    expect(xml).toContain('<BIC>PSSTFRPPLIL</BIC>');
    expect(xml).toContain('<Othr><Id>NOTPROVIDED</Id></Othr>'); // debtor without BIC
    expect(xml).toContain('<Nm>Helene Dupre</Nm>'); // SEPA character set
    expect(xml).toContain('<Ustrd>Facture 2026-000123 fevrier</Ustrd>');
    expect(xml).toContain('<Nm>Tresorerie de Saint-Etienne-du-Bois</Nm>');
    // Every id fits in 35 characters.
    for (const [, id] of xml.matchAll(/<(?:MsgId|PmtInfId|InstrId|EndToEndId|MndtId)>([^<]*)</g))
      expect(id?.length).toBeLessThanOrEqual(35);
  });

  it('a file of only recurring debits has one payment information block', () => {
    const parsed = parsePain008(
      buildPain008({ ...input, transactions: transactions.filter((t) => t.sequenceType === 'RCUR') }),
    );
    expect(parsed.paymentInfos.map((p) => p.sequenceType)).toEqual(['RCUR']);
    expect(parsed.controlSumCents).toBe(3334);
  });

  it('sums hundreds of amounts to the cent (control sums come from cents, not float additions)', () => {
    // A fixed pseudo-random sequence, so the test is the same every run.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const many: DirectDebitTransaction[] = Array.from({ length: 600 }, (_, i) => ({
      ...transactions[1]!,
      endToEndId: `E2E${i}`,
      amountCents: 1 + (next() % 500_000),
      sequenceType: i % 3 === 0 ? 'FRST' : 'RCUR',
    }));
    const expected = many.reduce((sum, t) => sum + t.amountCents, 0);
    const parsed = parsePain008(buildPain008({ ...input, transactions: many }));
    expect(parsed.numberOfTransactions).toBe(600);
    expect(parsed.controlSumCents).toBe(expected);
    expect(parsed.transactions.reduce((sum, t) => sum + t.amountCents, 0)).toBe(expected);
    expect(parsed.paymentInfos.reduce((sum, p) => sum + p.controlSumCents, 0)).toBe(expected);
    expect(parsed.transactions.map((t) => t.amountCents).sort()).toEqual(
      many.map((t) => t.amountCents).sort(),
    );
  });

  it('refuses bad input with a code', () => {
    const bad: Array<[Partial<Pain008Input>, string]> = [
      [{ messageId: '' }, 'message_id_invalid'],
      [{ messageId: 'X'.repeat(36) }, 'message_id_invalid'],
      [{ collectionDate: '2026-02-30' }, 'collection_date_invalid'],
      [{ transactions: [] }, 'no_transactions'],
      [{ creditor: { ...creditor, creditorId: 'FR00ZZZ123456' } }, 'creditor_id_invalid'],
      [{ creditor: { ...creditor, iban: 'FR7630001007941234567890186' } }, 'iban_invalid'],
      [{ transactions: [{ ...transactions[0]!, amountCents: 0 }] }, 'amount_invalid'],
      [{ transactions: [{ ...transactions[0]!, amountCents: 19.99 }] }, 'amount_invalid'],
      [
        {
          transactions: [transactions[0]!, { ...transactions[1]!, endToEndId: transactions[0]!.endToEndId }],
        },
        'end_to_end_id_duplicated',
      ],
      [{ transactions: [{ ...transactions[0]!, mandateId: 'RUM//1' }] }, 'mandate_id_invalid'],
      [{ transactions: [{ ...transactions[0]!, mandateSignedOn: '2026-04-01' }] }, 'mandate_date_invalid'],
      [
        { transactions: [{ ...transactions[0]!, debtorIban: 'FR14 2004 1010 0505 0001 3M02 607' }] },
        'iban_invalid',
      ],
      [{ transactions: [{ ...transactions[0]!, debtorBic: 'COBADEFFXXX' }] }, 'bic_country_mismatch'],
    ];
    for (const [change, code] of bad) {
      const error = (() => {
        try {
          buildPain008({ ...input, ...change });
        } catch (e) {
          return e;
        }
      })();
      expect(error, code).toBeInstanceOf(SepaExportError);
      expect(error, code).toMatchObject({ code });
    }
  });
});

describe('IBAN and BIC check', () => {
  it('normalises spaces and case', () => {
    expect(validateIbanBic(' fr76 3000 1007 9412 3456 7890 185 ', ' bdfe frpp cct ')).toEqual({
      ok: true,
      iban: 'FR7630001007941234567890185',
      bic: 'BDFEFRPPCCT',
    });
    expect(validateIbanBic('DE89 3704 0044 0532 0130 00')).toEqual({
      ok: true,
      iban: 'DE89370400440532013000',
      bic: undefined,
    });
    expect(validateIbanBic('FR7630001007941234567890185', '')).toMatchObject({ ok: true, bic: undefined });
  });

  it('returns error codes', () => {
    expect(validateIbanBic('')).toEqual({ ok: false, errors: ['iban_missing'] });
    expect(validateIbanBic('FR7630001007941234567890186')).toEqual({ ok: false, errors: ['iban_invalid'] });
    expect(validateIbanBic('BR1800360305000010009795493C1')).toEqual({
      ok: false,
      errors: ['iban_not_sepa'],
    });
    expect(validateIbanBic('FR7630001007941234567890185', 'BDFE')).toEqual({
      ok: false,
      errors: ['bic_invalid'],
    });
    expect(validateIbanBic('FR7630001007941234567890185', 'COBADEFFXXX')).toEqual({
      ok: false,
      errors: ['bic_country_mismatch'],
    });
    expect(validateIbanBic('nope', 'nope')).toEqual({ ok: false, errors: ['iban_invalid', 'bic_invalid'] });
  });
});
