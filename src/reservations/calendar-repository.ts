// The queries of the month calendars and of a child's agenda. No rules here.
import type { Queryable } from '../platform/db.js';
import type { Period } from '../services/calendar.js';
import { medicalCertificatesOf, seatKey, type ReservationRow, type ServiceRow } from './repository.js';

interface EnrolmentRow {
  child_id: number;
  service_id: number;
  options: { weekdays?: number[] } | null;
}

/**
 * What the month calendars of children show: their accepted enrolments, those services (open some
 * days), the town calendar's periods from `periodsFrom` (deadlines reach back), the household's
 * reservations of the grid, the counters, the attendance and the services' closed days.
 */
export async function calendarFacts(
  q: Queryable,
  householdId: number,
  childIds: number[],
  days: { from: string; to: string; periodsFrom: string },
) {
  const enrolled = () =>
    q('enrolments').whereIn('child_id', childIds).where({ status: 'accepted' }).select('service_id');
  const [enrolments, services, periods, reservations, seats, attendance, closures] = await Promise.all([
    q('enrolments')
      .whereIn('child_id', childIds)
      .where({ status: 'accepted' })
      .select('child_id', 'service_id', 'options') as Promise<EnrolmentRow[]>,
    q('services').whereIn('id', enrolled()).whereNot('opening_days', 'none').orderBy('name') as Promise<
      ServiceRow[]
    >,
    q('calendar_periods')
      .where('starts_on', '<=', days.to)
      .andWhere((w) => w.whereNull('ends_on').orWhere('ends_on', '>=', days.periodsFrom))
      .select('kind', 'starts_on', 'ends_on', 'school_year_id') as Promise<
      (Period & { school_year_id: string })[]
    >,
    q('reservations')
      .where({ household_id: householdId })
      .whereIn('child_id', childIds)
      .whereBetween('day', [days.from, days.to])
      .orderBy([{ column: 'day' }, { column: 'id' }]) as Promise<ReservationRow[]>,
    q('reservation_counters')
      .whereIn('service_id', enrolled())
      .whereBetween('day', [days.from, days.to])
      .select('service_id', 'day', 'group_key', 'booked') as Promise<
      { service_id: number; day: string; group_key: string; booked: number }[]
    >,
    q('attendance')
      .whereIn('child_id', childIds)
      .whereBetween('day', [days.from, days.to])
      .select('service_id', 'child_id', 'day', 'status') as Promise<
      { service_id: number; child_id: number; day: string; status: string }[]
    >,
    q('service_day_closures')
      .whereIn('service_id', enrolled())
      .whereBetween('day', [days.from, days.to])
      .select('service_id', 'day', 'reason') as Promise<
      { service_id: number; day: string; reason: string }[]
    >,
  ]);
  return {
    enrolments,
    services,
    periods,
    reservations,
    seats: new Map(seats.map((r) => [seatKey(r.service_id, r.day, r.group_key), r.booked])),
    attendance,
    closures,
  };
}

/** The agenda's extras: the child's last sick absences (with their certificate), its medical certificates, the month's history. */
export async function agendaFacts(
  q: Queryable,
  householdId: number,
  childId: number,
  from: string,
  to: string,
) {
  const [sick, certificates, history] = await Promise.all([
    q('reservations as r')
      .join('services as s', 's.id', 'r.service_id')
      .leftJoin('documents as d', 'd.id', 'r.sick_certificate_document_id')
      .where({ 'r.household_id': householdId, 'r.child_id': childId, 'r.status': 'sick' })
      .orderBy('r.day', 'desc')
      .limit(20)
      .select('r.id', 'r.day', 's.name as service', 'd.uploaded_at') as Promise<
      { id: number; day: string; service: string; uploaded_at: Date | null }[]
    >,
    medicalCertificatesOf(q, householdId, childId)
      .orderBy('d.uploaded_at', 'desc')
      .select('d.id', 'd.uploaded_at') as Promise<{ id: number; uploaded_at: Date }[]>,
    q('reservations as r')
      .join('services as s', 's.id', 'r.service_id')
      .leftJoin('attendance as a', (j) =>
        j.on('a.service_id', 'r.service_id').andOn('a.child_id', 'r.child_id').andOn('a.day', 'r.day'),
      )
      .where({ 'r.household_id': householdId, 'r.child_id': childId })
      .whereBetween('r.day', [from, to])
      .orderBy([{ column: 'r.day' }, { column: 's.name' }, { column: 'r.id' }])
      .select('r.day', 'r.status', 's.name as service', 'a.status as attendance') as Promise<
      { day: string; status: string; service: string; attendance: string | null }[]
    >,
  ]);
  return { sick, certificates, history };
}
