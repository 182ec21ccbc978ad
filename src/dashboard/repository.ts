// Read-only SQL of the parent's dashboard and of the RGPD export: the top floor reads what every
// feature records for one household. Nothing here writes.
import { listCurrentForHousehold } from '../documents/repository.js';
import { guardianLinks, householdAccounts, listMembers } from '../households/repository.js';
import type { Queryable } from '../platform/db.js';
import { OPEN_STATUSES, type RequestRow } from '../requests/repository.js';

/** The children as the dashboard shows them (the columns it needs). */
export const dashboardChildren = (q: Queryable, householdId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .leftJoin('schools as sc', 'sc.id', 'm.school_id')
    .where({ 'hm.household_id': householdId, 'm.kind': 'child' })
    .whereNull('m.deleted_at')
    .orderBy([{ column: 'm.birth_date' }, { column: 'm.id' }])
    .select('m.id', 'm.first_name', 'm.last_name', 'm.class_level', 'sc.name as school_name') as Promise<
    {
      id: number;
      first_name: string;
      last_name: string;
      class_level: string | null;
      school_name: string | null;
    }[]
  >;

/** The household's next booked (or waiting) days, from `from` on. */
export const nextReservations = (q: Queryable, householdId: number, from: string, limit: number) =>
  q('reservations as r')
    .join('services as s', 's.id', 'r.service_id')
    .where('r.household_id', householdId)
    .where('r.day', '>=', from)
    .whereIn('r.status', ['booked', 'waiting'])
    .orderBy([{ column: 'r.day' }, { column: 's.name' }])
    .limit(limit)
    .select('r.id', 'r.child_id', 'r.day', 'r.status', 's.name as service_name') as Promise<
    { id: number; child_id: number; day: string; status: string; service_name: string }[]
  >;

export const expiringDocuments = (q: Queryable, householdId: number, from: string, to: string) =>
  q('documents as d')
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .leftJoin('members as m', 'm.id', 'd.member_id')
    .where('d.household_id', householdId)
    .whereNull('d.deleted_at')
    .whereNull('d.superseded_at')
    .whereIn('d.status', ['accepted', 'pending'])
    .whereBetween('d.valid_until', [from, to])
    .orderBy('d.valid_until')
    .select('d.id', 'dt.name as type_name', 'd.valid_until', 'm.first_name as child_name') as Promise<
    { id: number; type_name: string; valid_until: string; child_name: string | null }[]
  >;

/** Document types required by the household's live enrolments with no valid document on file. */
export function missingDocuments(q: Queryable, householdId: number, day: string) {
  return q('enrolments as e')
    .join('service_requirements as sr', 'sr.service_id', 'e.service_id')
    .join('document_types as dt', 'dt.id', 'sr.document_type_id')
    .join('members as c', 'c.id', 'e.child_id')
    .where('e.household_id', householdId)
    .whereIn('e.status', ['draft', 'submitted', 'accepted'])
    .whereNotExists(function () {
      this.from('documents as d')
        .whereRaw('d.household_id = e.household_id AND d.type_id = sr.document_type_id')
        .whereRaw("(dt.scope = 'household' OR d.member_id = e.child_id)")
        .whereNull('d.deleted_at')
        .whereNull('d.superseded_at')
        .whereIn('d.status', ['pending', 'accepted'])
        .where((w) => w.whereNull('d.valid_until').orWhere('d.valid_until', '>=', day));
    })
    .distinct(
      q.raw(
        "dt.id as type_id, dt.name as type_name, CASE WHEN dt.scope = 'child' THEN c.first_name END as child_name",
      ),
    )
    .orderBy('type_name') as unknown as Promise<
    { type_id: number; type_name: string; child_name: string | null }[]
  >;
}

export const unpaidInvoices = (q: Queryable, householdId: number) =>
  q('invoices')
    .where({ household_id: householdId, kind: 'invoice' })
    .whereIn('status', ['unpaid', 'partially_paid'])
    .orderBy('due_on')
    .select('id', 'number', 'month', 'due_on', 'total_cents', 'paid_cents', 'status') as Promise<
    {
      id: number;
      number: string;
      month: string;
      due_on: string;
      total_cents: number;
      paid_cents: number;
      status: string;
    }[]
  >;

/** Requests still open that the household or the account filed. */
export const openRequestsOf = (q: Queryable, householdId: number, accountId: number) =>
  q('requests')
    .where((w) => w.where({ household_id: householdId }).orWhere({ account_id: accountId }))
    .whereIn('status', OPEN_STATUSES)
    .orderBy('created_at', 'desc')
    .select('id', 'type', 'tracking_code', 'status', 'summary') as Promise<
    Pick<RequestRow, 'id' | 'type' | 'tracking_code' | 'status' | 'summary'>[]
  >;

/** Everything stored about the household, for the RGPD export. */
export async function exportData(q: Queryable, householdId: number) {
  const household = await q('households').where({ id: householdId }).first();
  const members = await listMembers(q, householdId);
  const memberIds = members.map((m) => m.id);
  return {
    household,
    accounts: await householdAccounts(q, householdId),
    members,
    guardianChildren: await guardianLinks(q, householdId),
    documents: await listCurrentForHousehold(q, householdId),
    enrolments: await q('enrolments')
      .where({ household_id: householdId })
      .select(
        'id',
        'child_id',
        'service_id',
        'school_year_id',
        'status',
        'created_at',
        'submitted_at',
        'decided_at',
      ),
    reservations: await q('reservations')
      .where({ household_id: householdId })
      .select('id', 'child_id', 'service_id', 'day', 'status'),
    qfHistory: await q('qf_history')
      .where({ household_id: householdId })
      .select('value', 'valid_from', 'valid_to', 'source'),
    invoices: await q('invoices')
      .where({ household_id: householdId })
      .select('id', 'number', 'month', 'issued_at', 'due_on', 'total_cents', 'paid_cents', 'status'),
    payments: await q('payments')
      .where({ household_id: householdId })
      .select('id', 'invoice_id', 'method', 'amount_cents', 'status'),
    requests: await q('requests')
      .where({ household_id: householdId })
      .select('id', 'type', 'tracking_code', 'status', 'summary', 'created_at', 'decided_at'),
    requestEvents: await q('request_events as ev')
      .join('requests as r', 'r.id', 'ev.request_id')
      .where('r.household_id', householdId)
      .select('ev.request_id', 'ev.at', 'ev.actor_side', 'ev.status', 'ev.message'),
    attendance: memberIds.length
      ? await q('attendance')
          .where({ household_id: householdId })
          .select('child_id', 'service_id', 'day', 'status')
      : [],
  };
}
