// SQL for enrolments, and the read-only queries over other features' tables they need (the
// household's vault, the catchment street, the family for staff). No rules here.
import type { Queryable } from '../platform/db.js';

export type EnrolmentStatus = 'draft' | 'submitted' | 'accepted' | 'refused' | 'withdrawn' | 'ended';
const ACTIVE_STATUSES: EnrolmentStatus[] = ['draft', 'submitted', 'accepted'];

export interface EnrolmentOptions {
  weekdays?: number[];
  derogation?: { reason: string; text: string; documentIds: number[] };
}

export interface EnrolmentRow {
  id: number;
  child_id: number;
  service_id: number;
  household_id: number;
  school_year_id: string;
  status: EnrolmentStatus;
  step: string;
  options: EnrolmentOptions;
  school_id: number | null;
  derogation: boolean;
  request_id: number | null;
  created_by: number | null;
  created_at: Date;
  submitted_at: Date | null;
  decided_at: Date | null;
  ends_on: string | null;
  ended_at: Date | null;
}

/** An enrolment with what lists show: child, service, request. */
export interface EnrolmentListRow extends EnrolmentRow {
  child_first_name: string;
  child_last_name: string;
  service_name: string;
  service_kind: string;
  tracking_code: string | null;
  request_status: string | null;
  family_number?: string;
  school_name?: string | null;
}

export async function insertEnrolment(
  q: Queryable,
  row: Omit<EnrolmentRow, 'id' | 'submitted_at' | 'decided_at' | 'ends_on' | 'ended_at' | 'request_id'>,
): Promise<number> {
  const [r] = await q('enrolments')
    .insert({ ...row, options: JSON.stringify(row.options) })
    .returning('id');
  return (r as { id: number }).id;
}

export const updateEnrolment = (q: Queryable, id: number, patch: Partial<EnrolmentRow>) =>
  q('enrolments')
    .where({ id })
    .update({ ...patch, ...(patch.options ? { options: JSON.stringify(patch.options) } : {}) });

export const findEnrolment = (q: Queryable, id: number) =>
  q<EnrolmentRow>('enrolments').where({ id }).first() as Promise<EnrolmentRow | undefined>;

export const lockEnrolment = (q: Queryable, id: number) =>
  q<EnrolmentRow>('enrolments').where({ id }).forUpdate().first() as Promise<EnrolmentRow | undefined>;

/** An enrolment the household may see: looked up through the household, never by bare id. */
export const findHouseholdEnrolment = (q: Queryable, householdId: number, id: number) =>
  q<EnrolmentRow>('enrolments').where({ id, household_id: householdId }).first() as Promise<
    EnrolmentRow | undefined
  >;

export const findByRequest = (q: Queryable, requestId: number) =>
  q<EnrolmentRow>('enrolments').where({ request_id: requestId }).forUpdate().first() as Promise<
    EnrolmentRow | undefined
  >;

export const findActive = (q: Queryable, childId: number, serviceId: number) =>
  q<EnrolmentRow>('enrolments')
    .where({ child_id: childId, service_id: serviceId })
    .whereIn('status', ACTIVE_STATUSES)
    .first() as Promise<EnrolmentRow | undefined>;

function listQuery(q: Queryable) {
  return q('enrolments as e')
    .join('members as c', 'c.id', 'e.child_id')
    .join('services as s', 's.id', 'e.service_id')
    .join('households as h', 'h.id', 'e.household_id')
    .leftJoin('requests as r', 'r.id', 'e.request_id')
    .leftJoin('schools as sc', 'sc.id', 'e.school_id')
    .select(
      'e.*',
      'c.first_name as child_first_name',
      'c.last_name as child_last_name',
      's.name as service_name',
      's.kind as service_kind',
      'r.tracking_code',
      'r.status as request_status',
      'h.family_number',
      'sc.name as school_name',
    );
}

export const listHouseholdEnrolments = (q: Queryable, householdId: number) =>
  listQuery(q)
    .where('e.household_id', householdId)
    .orderBy([
      { column: 'e.created_at', order: 'desc' },
      { column: 'e.id', order: 'desc' },
    ]) as Promise<EnrolmentListRow[]>;

export const findEnrolmentWithNames = (q: Queryable, id: number) =>
  listQuery(q).where('e.id', id).first() as Promise<EnrolmentListRow | undefined>;

export interface StaffFilters {
  service?: number;
  status?: string;
  q?: string;
}

/** Staff list: drafts are the family's business and never shown. */
export function staffList(q: Queryable, f: StaffFilters) {
  return listQuery(q)
    .whereNot('e.status', 'draft')
    .modify((qb) => {
      if (f.service) qb.where('e.service_id', f.service);
      if (f.status) qb.where('e.status', f.status);
      if (f.q) {
        const like = `%${f.q.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`;
        qb.where((w) =>
          w
            .whereRaw("lower(f_unaccent(c.last_name || ' ' || c.first_name)) like lower(f_unaccent(?))", [
              like,
            ])
            .orWhereRaw('lower(h.family_number) like ?', [like])
            .orWhereRaw('lower(r.tracking_code) like ?', [like]),
        );
      }
    });
}

// ---- the vault (documents feature's table, read-only)

export interface VaultDocument {
  id: number;
  type_id: number;
  member_id: number | null;
  status: 'pending' | 'accepted';
  valid_until: string | null;
  uploaded_at: Date;
}

/**
 * Documents that count for an enrolment: not deleted, not superseded, pending or accepted, of the
 * types asked, for the child (any of its households: alternating custody) or for the household.
 */
export const countingDocuments = (q: Queryable, householdId: number, childId: number, typeIds: number[]) =>
  q('documents')
    .whereIn('type_id', typeIds)
    .whereNull('deleted_at')
    .whereNull('superseded_at')
    .whereIn('status', ['pending', 'accepted'])
    .where((w) =>
      w
        .where({ member_id: childId })
        .orWhere((w2) => w2.where({ household_id: householdId }).whereNull('member_id')),
    )
    .select('id', 'type_id', 'member_id', 'status', 'valid_until', 'uploaded_at') as Promise<VaultDocument[]>;

export const documentsByIds = (q: Queryable, ids: number[]) =>
  q('documents as d')
    .join('document_types as t', 't.id', 'd.type_id')
    .whereIn('d.id', ids)
    .select(
      'd.id',
      'd.household_id',
      'd.member_id',
      'd.status',
      'd.valid_until',
      't.name as type_name',
    ) as Promise<
    {
      id: number;
      household_id: number;
      member_id: number | null;
      status: string;
      valid_until: string | null;
      type_name: string;
    }[]
  >;

// ---- the household (households feature's tables, read-only)

export const householdStreet = (q: Queryable, householdId: number) =>
  q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .where('h.id', householdId)
    .first(
      'h.out_of_town',
      'h.street_id',
      's.name as street_name',
      's.elementary_school_id',
      's.nursery_school_id',
    ) as Promise<
    | {
        out_of_town: boolean;
        street_id: number | null;
        street_name: string | null;
        elementary_school_id: number | null;
        nursery_school_id: number | null;
      }
    | undefined
  >;

export const findChild = (q: Queryable, id: number) =>
  q('members as m')
    .leftJoin('schools as s', 's.id', 'm.school_id')
    .where('m.id', id)
    .first('m.*', 's.name as school_name') as Promise<
    | (Record<string, unknown> & {
        id: number;
        first_name: string;
        last_name: string;
        birth_date: string | null;
        school_id: number | null;
        class_level: string | null;
        school_name: string | null;
      })
    | undefined
  >;

/** The family for the staff page: household, its guardians (accounts) and their emails. */
export async function familyOf(q: Queryable, householdId: number) {
  const household = await q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .where('h.id', householdId)
    .first('h.*', 's.name as street_name');
  const guardians = (await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .select('a.id', 'a.first_name', 'a.last_name', 'a.email')) as {
    id: number;
    first_name: string;
    last_name: string;
    email: string;
  }[];
  return { household, guardians };
}

export const firstGuardianAccount = (q: Queryable, householdId: number) =>
  q('household_accounts')
    .where({ household_id: householdId })
    .orderBy('linked_at')
    .first('account_id') as Promise<{ account_id: number } | undefined>;

export const openEndRequest = (q: Queryable, enrolmentId: number) =>
  q('requests')
    .where({ type: 'enrolment_end' })
    .whereIn('status', ['submitted', 'in_review', 'incomplete'])
    .whereRaw("(data->>'enrolmentId')::bigint = ?", [enrolmentId])
    .first('id', 'tracking_code') as Promise<{ id: number; tracking_code: string } | undefined>;
