// SQL of the audit log (staff) and of a family's history (parents): events with their actor's
// name and role and the family each is about. Read-only. An event names its record by type and id
// (src/platform/audit.ts); the family of a document, a booking, an invoice… is read from that
// record's table here, set-based, as the top floor may.
import type { Knex } from 'knex';
import type { Queryable } from '../platform/db.js';

/** Subject types whose table has the household's id, besides 'household' itself. */
const SUBJECT_TABLES: Record<string, string> = {
  document: 'documents',
  enrolment: 'enrolments',
  reservation: 'reservations',
  request: 'requests',
  invoice: 'invoices',
  payment: 'payments',
  payment_operation: 'payment_operations',
  sepa_mandate: 'sepa_mandates',
};

const NUMERIC_ID = "e.subject_id ~ '^[0-9]{1,18}$'";

/** The household of one event (for a page of rows; filtering uses householdClause's index-friendly form). */
const HOUSEHOLD_OF_EVENT = `CASE
  WHEN e.subject_type = 'household' AND ${NUMERIC_ID} THEN e.subject_id::bigint
  ${Object.entries(SUBJECT_TABLES)
    .map(
      ([type, table]) =>
        `WHEN e.subject_type = '${type}' AND ${NUMERIC_ID} THEN (SELECT x.household_id FROM ${table} x WHERE x.id = e.subject_id::bigint)`,
    )
    .join('\n  ')}
END`;

/** Events about one household: itself, or one of its records. */
function householdClause(qb: Knex.QueryBuilder, q: Queryable, householdId: number) {
  qb.where((w) => {
    w.where({ 'e.subject_type': 'household', 'e.subject_id': String(householdId) });
    for (const [type, table] of Object.entries(SUBJECT_TABLES))
      w.orWhere((o) =>
        o
          .where('e.subject_type', type)
          .whereIn('e.subject_id', q(table).where({ household_id: householdId }).select(q.raw('id::text'))),
      );
  });
}

export interface AuditQuery {
  /** Paris days, both included. */
  from?: string;
  to?: string;
  /** Name or email (accent- and case-insensitive), or an account number. */
  actor?: string;
  householdId?: number;
  /** An action key, or a family of them ending with '.' ("documents."). */
  action?: string;
}

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  actor_account_id: number | null;
  actor_role: string | null;
  actor_first_name: string | null;
  actor_last_name: string | null;
  subject_type: string | null;
  subject_id: string | null;
  details: Record<string, unknown>;
  household_id: number | null;
  family_number: string | null;
}

const escapeLike = (s: string) => s.replace(/[%_\\]/g, '\\$&');

function filtered(q: Queryable, f: AuditQuery) {
  return q('audit_events as e').modify((qb) => {
    if (f.from) qb.whereRaw("e.at >= (?::date)::timestamp AT TIME ZONE 'Europe/Paris'", [f.from]);
    if (f.to) qb.whereRaw("e.at < ((?::date) + 1)::timestamp AT TIME ZONE 'Europe/Paris'", [f.to]);
    if (f.action) {
      if (f.action.endsWith('.')) qb.where('e.action', 'like', `${escapeLike(f.action)}%`);
      else qb.where('e.action', f.action);
    }
    if (f.actor) {
      const actor = f.actor.trim();
      if (/^#?\d{1,15}$/.test(actor)) qb.where('e.actor_account_id', Number(actor.replace('#', '')));
      else {
        const like = `%${escapeLike(actor.toLowerCase())}%`;
        qb.whereIn(
          'e.actor_account_id',
          q('accounts')
            .whereRaw("lower(f_unaccent(first_name || ' ' || last_name)) like lower(f_unaccent(?))", [like])
            .orWhereRaw('lower(email) like ?', [like])
            .select('id'),
        );
      }
    }
    if (f.householdId !== undefined) householdClause(qb, q, f.householdId);
  });
}

/** How many events match. */
export async function countAuditEvents(q: Queryable, f: AuditQuery): Promise<number> {
  const [row] = (await filtered(q, f).count({ n: '*' })) as [{ n: number | string }];
  return Number(row.n);
}

/** Events matching, newest first, with their actor and family. */
export function listAuditEvents(q: Queryable, f: AuditQuery, limit: number, offset: number) {
  return q
    .select('w.*', 'a.first_name as actor_first_name', 'a.last_name as actor_last_name', 'h.family_number')
    .from(
      filtered(q, f)
        .select('e.*', q.raw(`${HOUSEHOLD_OF_EVENT} AS household_id`))
        .orderBy('e.id', 'desc')
        .limit(limit)
        .offset(offset)
        .as('w'),
    )
    .leftJoin('accounts as a', 'a.id', 'w.actor_account_id')
    .leftJoin('households as h', 'h.id', 'w.household_id')
    .orderBy('w.id', 'desc') as Promise<AuditRow[]>;
}

/** The household of a family number (any case), or undefined. */
export const householdByFamilyNumber = (q: Queryable, familyNumber: string) =>
  q('households')
    .whereRaw('upper(family_number) = upper(?)', [familyNumber.trim()])
    .first('id', 'family_number') as Promise<{ id: number; family_number: string } | undefined>;

/** The accounts that are guardians of a household now (their names are shown to the family). */
export const guardianAccountIds = async (q: Queryable, householdId: number): Promise<Set<number>> =>
  new Set(
    (
      (await q('household_accounts').where({ household_id: householdId }).pluck('account_id')) as unknown[]
    ).map(Number),
  );
