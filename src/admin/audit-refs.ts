// The records a page of audit events names (documents, requests, bookings, children, services…),
// read at once by id so that each event can be told in words. Read-only, set-based (top floor).
import type { Queryable } from '../platform/db.js';
import type { AuditRow } from './audit-repository.js';

export interface AuditRefs {
  documents: Map<number, { type: string; child: string | null }>;
  requests: Map<number, { code: string; type: string }>;
  enrolments: Map<number, { child: string; service: string }>;
  reservations: Map<number, { child: string; service: string; day: string }>;
  services: Map<number, string>;
  members: Map<number, string>;
  invoices: Map<number, { number: string; month: string }>;
  accounts: Map<number, string>;
  households: Map<number, string>;
}

const num = (v: unknown): number | null => {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
};

/** Ids named by events: their subject of `type`, and the details' `keys`. */
function idsOf(events: AuditRow[], type: string | null, keys: string[] = []): number[] {
  const ids = new Set<number>();
  for (const e of events) {
    if (type && e.subject_type === type) {
      const id = num(e.subject_id);
      if (id) ids.add(id);
    }
    for (const k of keys) {
      const id = num(e.details?.[k]);
      if (id) ids.add(id);
    }
  }
  return [...ids];
}

/** Booking events list their days (src/reservations/booking.ts). */
export interface BookedDay {
  day: string;
  childId: number;
  serviceId: number;
  result: string;
}
export const bookedDays = (e: AuditRow): BookedDay[] =>
  Array.isArray(e.details?.days) ? (e.details.days as BookedDay[]) : [];

const byId = <R extends { id: number | string }, V>(rows: R[], value: (r: R) => V) =>
  new Map(rows.map((r) => [Number(r.id), value(r)]));

export async function loadAuditRefs(q: Queryable, events: AuditRow[]): Promise<AuditRefs> {
  const days = events.flatMap(bookedDays);
  const documentIds = idsOf(events, 'document', ['documentId']);
  const requestIds = idsOf(events, 'request', ['requestId']);
  const enrolmentIds = idsOf(events, 'enrolment');
  const reservationIds = idsOf(events, 'reservation');
  const serviceIds = [
    ...new Set([...idsOf(events, 'service', ['serviceId']), ...days.map((d) => d.serviceId)]),
  ].filter((id) => num(id));
  const memberIds = [
    ...new Set([...idsOf(events, null, ['childId', 'memberId']), ...days.map((d) => d.childId)]),
  ].filter((id) => num(id));
  const invoiceIds = idsOf(events, 'invoice', ['invoiceId']);
  const accountIds = idsOf(events, 'account');
  const householdIds = idsOf(events, null, ['otherHouseholdId']);
  const none = Promise.resolve([]);
  const [documents, requests, enrolments, reservations, services, members, invoices, accounts, households] =
    await Promise.all([
      documentIds.length
        ? q('documents as d')
            .join('document_types as t', 't.id', 'd.type_id')
            .leftJoin('members as m', 'm.id', 'd.member_id')
            .whereIn('d.id', documentIds)
            .select('d.id', 't.name as type', 'm.first_name as child')
        : none,
      requestIds.length
        ? q('requests').whereIn('id', requestIds).select('id', 'tracking_code', 'type')
        : none,
      enrolmentIds.length
        ? q('enrolments as e')
            .join('members as m', 'm.id', 'e.child_id')
            .join('services as s', 's.id', 'e.service_id')
            .whereIn('e.id', enrolmentIds)
            .select('e.id', 'm.first_name as child', 's.name as service')
        : none,
      reservationIds.length
        ? q('reservations as r')
            .join('members as m', 'm.id', 'r.child_id')
            .join('services as s', 's.id', 'r.service_id')
            .whereIn('r.id', reservationIds)
            .select('r.id', 'm.first_name as child', 's.name as service', 'r.day')
        : none,
      serviceIds.length ? q('services').whereIn('id', serviceIds).select('id', 'name') : none,
      memberIds.length ? q('members').whereIn('id', memberIds).select('id', 'first_name') : none,
      invoiceIds.length ? q('invoices').whereIn('id', invoiceIds).select('id', 'number', 'month') : none,
      accountIds.length
        ? q('accounts').whereIn('id', accountIds).select('id', 'first_name', 'last_name')
        : none,
      householdIds.length ? q('households').whereIn('id', householdIds).select('id', 'family_number') : none,
    ]);
  type Row = Record<string, string> & { id: number };
  return {
    documents: byId(documents as Row[], (r) => ({ type: r.type!, child: r.child ?? null })),
    requests: byId(requests as Row[], (r) => ({ code: r.tracking_code!, type: r.type! })),
    enrolments: byId(enrolments as Row[], (r) => ({ child: r.child!, service: r.service! })),
    reservations: byId(reservations as Row[], (r) => ({ child: r.child!, service: r.service!, day: r.day! })),
    services: byId(services as Row[], (r) => r.name!),
    members: byId(members as Row[], (r) => r.first_name!),
    invoices: byId(invoices as Row[], (r) => ({ number: r.number!, month: r.month! })),
    accounts: byId(accounts as Row[], (r) => `${r.first_name} ${r.last_name}`),
    households: byId(households as Row[], (r) => r.family_number!),
  };
}
