// The forms of closures and waiting lists (staff). Messages are catalogue keys.
import { z } from 'zod';
import { isoDate } from '../web/dates.js';
import { text } from '../web/text.js';

const id = (message: string) => z.string().regex(/^\d{1,9}$/, message);
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

/**
 * Closing: the scope (one service, a school's services, the whole town; one service when the form
 * does not say), the first day, the last day (the first when empty) and the reason told to families.
 */
export const closeSchema = z
  .object({
    scope: z.preprocess(
      (v) => v ?? 'service',
      z.enum(['service', 'school', 'town'], 'reservations.errors.scopeRequired'),
    ),
    service: z.preprocess(blankToUndefined, id('reservations.errors.serviceRequired').optional()),
    school: z.preprocess(blankToUndefined, id('reservations.errors.schoolRequired').optional()),
    day: isoDate('reservations.errors.dayInvalid'),
    until: z.preprocess(blankToUndefined, isoDate('reservations.errors.dayInvalid').optional()),
    reason: text()
      .trim()
      .min(3, 'reservations.errors.reasonRequired')
      .max(300, 'reservations.errors.reasonTooLong'),
  })
  .superRefine((v, ctx) => {
    if (v.scope === 'service' && !v.service)
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'reservations.errors.serviceRequired' });
    if (v.scope === 'school' && !v.school)
      ctx.addIssue({ code: 'custom', path: ['school'], message: 'reservations.errors.schoolRequired' });
  });

export const promoteSchema = z.object({
  reservation: id('reservations.errors.waitingRequired'),
});
