// Audit events: who did what to which record. Written in the caller's transaction so that an
// action and its trace commit together. Never put a password, token or document content in details.
import type { Queryable } from './db.js';
import type { Clock } from './clock.js';

export interface Actor {
  accountId: number | null;
  role?: string;
}
export const SYSTEM: Actor = { accountId: null, role: 'system' };

export interface Subject {
  type: string;
  id: string | number | null;
}

export function createAudit(clock: Clock) {
  return {
    async record(
      q: Queryable,
      actor: Actor,
      action: string,
      subject: Subject | null,
      details: Record<string, unknown> = {},
    ) {
      await q('audit_events').insert({
        at: clock.now(),
        actor_account_id: actor.accountId,
        actor_role: actor.role ?? null,
        action,
        subject_type: subject?.type ?? null,
        subject_id: subject?.id == null ? null : String(subject.id),
        details: JSON.stringify(details),
      });
    },
    /** Several events in one insert (a batch of the invoicing run), same columns as record(). */
    async recordMany(
      q: Queryable,
      actor: Actor,
      action: string,
      events: { subject: Subject | null; details?: Record<string, unknown> }[],
    ) {
      if (!events.length) return;
      const at = clock.now();
      await q('audit_events').insert(
        events.map((e) => ({
          at,
          actor_account_id: actor.accountId,
          actor_role: actor.role ?? null,
          action,
          subject_type: e.subject?.type ?? null,
          subject_id: e.subject?.id == null ? null : String(e.subject.id),
          details: JSON.stringify(e.details ?? {}),
        })),
      );
    },
  };
}
export type Audit = ReturnType<typeof createAudit>;
