import { z } from 'zod';
import { multilineText, text } from '../web/text.js';

export const messageSchema = z.object({
  message: multilineText().trim().max(2000, 'requests.errors.messageTooLong').optional().default(''),
  document_id: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v && /^\d{1,15}$/.test(v) ? Number(v) : null)),
});

export const decisionSchema = z.object({
  decision: z.enum(['accepted', 'refused', 'incomplete'], { message: 'requests.errors.decisionRequired' }),
  message: multilineText().trim().max(2000, 'requests.errors.messageTooLong').optional().default(''),
});

export const queueFilters = z.object({
  type: z
    .string()
    .trim()
    .max(40)
    .regex(/^[a-z_]*$/)
    .optional()
    .default(''),
  status: z
    .enum(['', 'submitted', 'in_review', 'incomplete', 'accepted', 'refused', 'cancelled'])
    .optional()
    .default(''),
  code: text().trim().max(12).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});
