// Forms of the billing feature. Money is typed in euros ("3,45") and parsed exactly to cents.
import { z } from 'zod';
import { isoDate, isoMonth } from '../web/dates.js';
import { multilineText, text } from '../web/text.js';

const EUROS = /^(\d{1,6})(?:[.,](\d{1,2}))?$/;

/** "3,45" → 345, "1 234,5" → 123450, "12" → 1200; null when not a valid amount. No float on the way. */
export function parseEuros(input: string): number | null {
  const clean = input.replace(/[\s\u00a0\u202f€]/g, '');
  const m = EUROS.exec(clean);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Cents as the form shows them back: 345 → "3,45". */
export function eurosText(cents: number | null | undefined): string {
  if (cents == null) return '';
  return `${Math.trunc(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}

const requiredEuros = z
  .string()
  .trim()
  .min(1, 'billing.errors.amountRequired')
  .refine((v) => parseEuros(v) !== null, 'billing.errors.amountInvalid')
  .transform((v) => parseEuros(v)!);

const optionalEuros = z
  .string()
  .trim()
  .refine((v) => v === '' || parseEuros(v) !== null, 'billing.errors.amountInvalid')
  .transform((v) => (v === '' ? null : parseEuros(v)));

export const ratesSchema = z.object({
  out_of_town: optionalEuros,
  unknown_qf: optionalEuros,
  late_cancel: requiredEuros,
  unbooked_surcharge: requiredEuros,
});

export const bracketPrice = requiredEuros;

export const monthSchema = z.object({
  month: isoMonth('billing.errors.monthInvalid'),
});

const isoDay = isoDate('billing.errors.dateInvalid');

export const qfRequestSchema = z
  .object({
    source: z.enum(['caf', 'msa', 'tax_notice'], { message: 'billing.qf.errors.sourceRequired' }),
    allocataire_number: text().trim().max(20).default(''),
    qf: text().trim().default(''),
    document_id: z
      .string()
      .trim()
      .regex(/^\d{1,15}$/, 'billing.qf.errors.documentRequired'),
  })
  .superRefine((v, ctx) => {
    if (v.source !== 'tax_notice') {
      if (!/^\d{5,10}$/.test(v.allocataire_number))
        ctx.addIssue({
          code: 'custom',
          path: ['allocataire_number'],
          message: 'billing.qf.errors.allocataireInvalid',
        });
      if (!/^\d{1,5}$/.test(v.qf))
        ctx.addIssue({ code: 'custom', path: ['qf'], message: 'billing.qf.errors.qfInvalid' });
    } else if (v.qf !== '' && !/^\d{1,5}$/.test(v.qf))
      ctx.addIssue({ code: 'custom', path: ['qf'], message: 'billing.qf.errors.qfInvalid' });
  })
  .transform((v) => ({
    source: v.source,
    allocataireNumber: v.allocataire_number,
    qf: v.qf === '' ? null : Number(v.qf),
    documentId: Number(v.document_id),
  }));

export const qfValidationSchema = z.object({
  value: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'billing.qf.errors.qfInvalid')
    .transform(Number),
  valid_from: isoDay,
  valid_to: z.union([z.literal(''), isoDay]).transform((v) => v || null),
});

export const qfRefusalSchema = z.object({
  reason: multilineText().trim().min(1, 'billing.qf.errors.reasonRequired').max(1000),
});

export const creditNoteSchema = z.object({
  amount: requiredEuros.refine((v) => v > 0, 'billing.errors.amountPositive'),
  reason: multilineText().trim().min(1, 'billing.credit.errors.reasonRequired').max(500),
});

export const invoiceFilters = z.object({
  q: text().trim().max(100).optional().default(''),
  month: z
    .union([z.literal(''), isoMonth('billing.errors.monthInvalid')])
    .optional()
    .default(''),
  status: z
    .enum(['', 'unpaid', 'partially_paid', 'paid', 'direct_debit_planned', 'debited', 'overdue'])
    .optional()
    .default(''),
  kind: z.enum(['', 'invoice', 'credit_note']).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

export const treasurySchema = z.object({ before: isoDay });
