// The payments forms (zod messages are catalogue keys).
import { z } from 'zod';
import { isoDate, isoMonth } from '../web/dates.js';
import { personName, text } from '../web/text.js';
import { DESK_METHODS } from './repository.js';

const day = (key: string) => isoDate(key);

/** "12,50", "12.5" or "12" → 1250 cents; anything else fails. */
const euros = (key: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}(?:[.,]\d{1,2})?$/, key)
    .transform((v) => {
      const [whole, fraction = ''] = v.replace(',', '.').split('.');
      return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    })
    .refine((cents) => cents > 0, key);

export const deskPaymentSchema = z.object({
  invoice: text().trim().min(1, 'payments.errors.invoiceRequired').max(40, 'payments.errors.invoiceNotFound'),
  method: z.enum(DESK_METHODS, 'payments.errors.methodRequired'),
  amount: euros('payments.errors.amountInvalid'),
  received_on: day('payments.errors.dateInvalid'),
  reference: text().trim().max(60, 'payments.errors.referenceTooLong').optional().default(''),
});
export type DeskPaymentForm = z.infer<typeof deskPaymentSchema>;

export const REFUND_METHODS = ['transfer', 'cheque', 'cash'] as const;
export const refundSchema = z.object({
  amount: euros('payments.errors.amountInvalid'),
  method: z.enum(REFUND_METHODS, 'payments.errors.methodRequired'),
  refunded_on: day('payments.errors.dateInvalid'),
  reason: text().trim().min(3, 'payments.errors.reasonRequired').max(500, 'payments.errors.reasonTooLong'),
});
export type RefundForm = z.infer<typeof refundSchema>;

export const anomalySchema = z.object({
  resolution: text()
    .trim()
    .min(3, 'payments.errors.resolutionRequired')
    .max(500, 'payments.errors.reasonTooLong'),
});

export const periodSchema = z.object({
  from: day('payments.errors.dateInvalid').optional(),
  to: day('payments.errors.dateInvalid').optional(),
  method: z.enum(['', 'online', 'direct_debit', 'cash', 'cheque', 'card', 'cesu']).optional().default(''),
});

export const mandateSchema = z.object({
  holder: personName()
    .trim()
    .min(2, 'payments.mandate.errors.holderRequired')
    .max(70, 'payments.mandate.errors.holderTooLong'),
  iban: text()
    .trim()
    .min(1, 'payments.mandate.errors.iban_missing')
    .max(50, 'payments.mandate.errors.iban_invalid'),
  bic: text().trim().max(11, 'payments.mandate.errors.bic_invalid').optional().default(''),
  address: text()
    .trim()
    .min(5, 'payments.mandate.errors.addressRequired')
    .max(200, 'payments.mandate.errors.addressTooLong'),
  consent: z.literal('yes', 'payments.mandate.errors.consentRequired'),
});
export type MandateForm = z.infer<typeof mandateSchema>;

export const REJECTION_CODES = [
  'AC01',
  'AC04',
  'AC06',
  'AG01',
  'AM04',
  'MD01',
  'MD06',
  'MD07',
  'MS02',
  'MS03',
  'SL01',
] as const;

export const sepaExportSchema = z.object({
  month: isoMonth('payments.sepa.errors.monthInvalid'),
  collection_date: day('payments.sepa.errors.collectionDateInvalid'),
});

export const rejectionSchema = z.object({
  code: z.enum(REJECTION_CODES, 'payments.sepa.errors.codeRequired'),
});
