// SQL for requests (démarches) and their history. No rules here.
import type { Queryable } from '../platform/db.js';

export type RequestStatus = 'submitted' | 'in_review' | 'incomplete' | 'accepted' | 'refused' | 'cancelled';
export const OPEN_STATUSES: RequestStatus[] = ['submitted', 'in_review', 'incomplete'];

export interface RequestRow {
  id: number;
  type: string;
  tracking_code: string;
  account_id: number | null;
  household_id: number | null;
  child_id: number | null;
  status: RequestStatus;
  summary: string;
  data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  decided_at: Date | null;
  decided_by: number | null;
}

export interface RequestEventRow {
  id: number;
  request_id: number;
  at: Date;
  actor_account_id: number | null;
  actor_side: 'parent' | 'staff' | 'system';
  status: RequestStatus | null;
  message: string | null;
  document_id: number | null;
}

export const findRequest = (q: Queryable, id: number) =>
  q<RequestRow>('requests').where({ id }).first() as Promise<RequestRow | undefined>;

export const listEvents = (q: Queryable, requestId: number) =>
  q<RequestEventRow>('request_events')
    .where({ request_id: requestId })
    .orderBy([{ column: 'at' }, { column: 'id' }]) as Promise<RequestEventRow[]>;

export async function insertRequest(
  q: Queryable,
  row: Omit<RequestRow, 'id' | 'decided_at' | 'decided_by'>,
): Promise<number> {
  const [r] = await q('requests')
    .insert({ ...row, data: JSON.stringify(row.data) })
    .returning('id');
  return (r as { id: number }).id;
}

export async function insertEvent(q: Queryable, row: Omit<RequestEventRow, 'id'>): Promise<void> {
  await q('request_events').insert(row);
}

export const updateRequest = (q: Queryable, id: number, patch: Partial<RequestRow>) =>
  q('requests')
    .where({ id })
    .update({ ...patch, ...(patch.data ? { data: JSON.stringify(patch.data) } : {}) });

/** The staff queue: by type and status, oldest first. */
export function queue(q: Queryable, filters: { type?: string; status?: string; code?: string }) {
  return q('requests as r')
    .leftJoin('households as h', 'h.id', 'r.household_id')
    .leftJoin('members as c', 'c.id', 'r.child_id')
    .leftJoin('accounts as a', 'a.id', 'r.account_id')
    .modify((qb) => {
      if (filters.code) qb.where('r.tracking_code', filters.code.trim().toUpperCase());
      else if (filters.status) qb.where('r.status', filters.status);
      else qb.whereIn('r.status', OPEN_STATUSES);
      if (filters.type) qb.where('r.type', filters.type);
    })
    .select(
      'r.*',
      'h.family_number',
      q.raw("coalesce(c.first_name || ' ' || c.last_name, '') as child_name"),
      q.raw("coalesce(a.first_name || ' ' || a.last_name, '') as owner_name"),
    )
    .orderBy('r.created_at', 'asc');
}

/** A request a parent may see: filed by their account or about their household; else undefined (404). */
export const findParentRequest = (q: Queryable, accountId: number, householdId: number | null, id: number) =>
  q<RequestRow>('requests')
    .where({ id })
    .where((w) => {
      w.where({ account_id: accountId });
      if (householdId) w.orWhere({ household_id: householdId });
    })
    .first() as Promise<RequestRow | undefined>;

export const listParentRequests = (q: Queryable, accountId: number, householdId: number | null) =>
  q<RequestRow>('requests')
    .where((w) => {
      w.where({ account_id: accountId });
      if (householdId) w.orWhere({ household_id: householdId });
    })
    .orderBy('created_at', 'desc') as Promise<RequestRow[]>;

/** The history with who wrote each event and the document given, if any. */
export const listEventsWithNames = (q: Queryable, requestId: number) =>
  q('request_events as ev')
    .leftJoin('accounts as a', 'a.id', 'ev.actor_account_id')
    .leftJoin('documents as d', 'd.id', 'ev.document_id')
    .leftJoin('document_types as dt', 'dt.id', 'd.type_id')
    .where('ev.request_id', requestId)
    .orderBy([{ column: 'ev.at' }, { column: 'ev.id' }])
    .select(
      'ev.*',
      q.raw("coalesce(a.first_name || ' ' || a.last_name, '') as actor_name"),
      'dt.name as document_name',
    ) as Promise<(RequestEventRow & { actor_name: string; document_name: string | null })[]>;

export const countQueue = async (
  q: Queryable,
  filters: { type?: string; status?: string; code?: string },
) => {
  const [{ count }] = (await queue(q, filters).clearSelect().clearOrder().count({ count: '*' })) as [
    { count: number },
  ];
  return Number(count);
};
