// What other features record, read for the child page of a household (documents, enrolments,
// reservations). No rules here.
import type { Queryable } from '../platform/db.js';

export interface DocumentView {
  id: number;
  member_id: number | null;
  type_name: string;
  status: string;
  valid_until: string | null;
  uploaded_at: Date;
}

const liveDocuments = (q: Queryable, householdId: number) =>
  q('documents as d')
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .where('d.household_id', householdId)
    .whereNull('d.deleted_at')
    .whereNull('d.superseded_at');

export const childDocuments = (q: Queryable, householdId: number, childId: number) =>
  liveDocuments(q, householdId)
    .where('d.member_id', childId)
    .orderBy('dt.name')
    .select(
      'd.id',
      'd.member_id',
      'dt.name as type_name',
      'd.status',
      'd.valid_until',
      'd.uploaded_at',
    ) as Promise<DocumentView[]>;

export const childEnrolments = (q: Queryable, householdId: number, childId: number) =>
  q('enrolments as e')
    .join('services as s', 's.id', 'e.service_id')
    .where({ 'e.household_id': householdId, 'e.child_id': childId })
    .whereNot('e.status', 'draft')
    .orderBy([{ column: 'e.school_year_id', order: 'desc' }, { column: 's.name' }])
    .select('e.id', 'e.status', 'e.school_year_id', 's.name as service_name') as Promise<
    { id: number; status: string; school_year_id: string; service_name: string }[]
  >;

export const nextReservations = (
  q: Queryable,
  householdId: number,
  from: string,
  limit: number,
  childId?: number,
) =>
  q('reservations as r')
    .join('services as s', 's.id', 'r.service_id')
    .where('r.household_id', householdId)
    .where('r.day', '>=', from)
    .whereIn('r.status', ['booked', 'waiting'])
    .modify((qb) => {
      if (childId) qb.where('r.child_id', childId);
    })
    .orderBy([{ column: 'r.day' }, { column: 's.name' }])
    .limit(limit)
    .select('r.id', 'r.child_id', 'r.day', 'r.status', 's.name as service_name') as Promise<
    { id: number; child_id: number; day: string; status: string; service_name: string }[]
  >;
