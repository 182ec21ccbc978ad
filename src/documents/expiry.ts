// The daily expiry run: marks expired documents, then reminds parents 30 and 7 days before, once each.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { today as parisToday } from '../platform/clock.js';
import { withTransaction } from '../platform/db.js';
import { tFr } from '../web/i18n.js';
import { documentLabel, emailGuardians } from './emails.js';
import { claimReminder, expiringRelied, markExpired } from './repository-expiry.js';
import { daysBetween, plusDays } from './validity.js';

const REMINDER_DAYS = { d30: 30, d7: 7 } as const;

export function createExpiryService(deps: AppDeps) {
  const { db, clock } = deps;
  const today = () => parisToday(clock);

  return {
    /** The daily run: marks expired documents, then reminds parents 30 and 7 days before, once each. */
    async runExpiry(): Promise<{ expired: number; reminders: number }> {
      const day = today();
      const expired = await markExpired(db, day);
      let reminders = 0;
      for (const c of await expiringRelied(db, day, plusDays(day, REMINDER_DAYS.d30))) {
        const left = daysBetween(day, c.valid_until);
        const kind = left <= REMINDER_DAYS.d7 ? 'd7' : 'd30';
        const sent = await withTransaction(db, async (tx) => {
          // The primary key of document_reminders makes a second run (or instance) a no-op.
          if (!(await claimReminder(tx, c.id, kind, clock.now()))) return false;
          const document = documentLabel(c);
          await emailGuardians(deps, tx, c.household_id, {
            kind: `documents.reminder_${kind}`,
            subject: tFr('documents.emails.reminder.subject', { document, count: left }),
            paragraphs: [
              tFr('documents.emails.reminder.text', {
                document,
                date: DateTime.fromISO(c.valid_until).setLocale('fr').toFormat('d LLLL yyyy'),
                count: left,
              }),
              tFr('documents.emails.reminder.next'),
            ],
            dedupeKey: (to) => `documents.reminder.${c.id}.${kind}.${to.toLowerCase()}`,
          });
          return true;
        });
        if (sent) reminders++;
      }
      deps.logger.info({ expired, reminders }, 'documents expiry run');
      return { expired, reminders };
    },
  };
}
