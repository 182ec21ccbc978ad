// Staff side of reservations: attendance (saved as it is taken), the service's booking rules.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction } from '../platform/db.js';
import { parisInstant } from '../platform/clock.js';
import { FormError } from '../web/forms.js';
import { custodyAllows } from './rules.js';
import type { CapacityGroup } from './policy.js';
import * as repo from './repository.js';
import * as staffRepo from './staff-repository.js';

export type AttendanceStatus = 'present' | 'absent_excused' | 'absent' | 'present_unbooked';

export interface StaffAccount {
  id: number;
  role: string;
}

export function createReservationsStaffService(deps: AppDeps) {
  const { db, clock, audit } = deps;

  /** The service if this staff account may see it (animators: only at their sites), else undefined. */
  async function visibleService(
    account: StaffAccount,
    serviceId: number,
  ): Promise<repo.ServiceRow | undefined> {
    return (await staffRepo.visibleServices(db, account).where('s.id', serviceId).first()) as
      repo.ServiceRow | undefined;
  }

  /**
   * Records one child's attendance. A booked (or sick) child gets present / absent excused /
   * absent; a child enrolled but not booked can be recorded "present without booking", billed to
   * the household whose custody week it is. Refused once the month is invoiced.
   */
  async function record(input: {
    serviceId: number;
    day: string;
    childId: number;
    status: AttendanceStatus;
    actor: Actor;
  }): Promise<void> {
    await withTransaction(db, async (tx) => {
      if (await repo.isMonthLocked(tx, input.day.slice(0, 7)))
        throw new FormError('status', 'reservations.errors.locked');
      const booked = (await tx('reservations')
        .where({ service_id: input.serviceId, child_id: input.childId, day: input.day })
        .whereIn('status', ['booked', 'sick'])
        .first('household_id')) as { household_id: number } | undefined;
      let householdId = booked?.household_id ?? null;
      let status = input.status;
      if (!booked) {
        if (!(await repo.isEnrolled(tx, input.childId, input.serviceId)))
          throw new FormError('status', 'reservations.errors.statusRequired');
        const households = await staffRepo.householdsOfChild(tx, input.childId);
        householdId =
          (households.find((h) => custodyAllows(input.day, h.custody_weeks)) ?? households[0])
            ?.household_id ?? null;
        // Without a booking, "present" is a presence without booking (billed per the service's rule).
        if (status === 'present') status = 'present_unbooked';
      } else if (status === 'present_unbooked') {
        status = 'present';
      }
      await tx('attendance')
        .insert({
          service_id: input.serviceId,
          child_id: input.childId,
          day: input.day,
          status,
          household_id: householdId,
          recorded_by: input.actor.accountId,
          recorded_at: clock.now(),
        })
        .onConflict(['service_id', 'child_id', 'day'])
        .merge(['status', 'household_id', 'recorded_by', 'recorded_at']);
      await audit.record(
        tx,
        input.actor,
        'reservations.attendance',
        { type: 'service', id: input.serviceId },
        { day: input.day, childId: input.childId, status },
      );
    });
  }

  async function updateBookingRules(
    serviceId: number,
    rules: BookingRulesInput,
    actor: Actor,
  ): Promise<void> {
    await withTransaction(db, async (tx) => {
      await tx('services')
        .where({ id: serviceId })
        .update({
          booking_deadline: rules.bookingDeadline ? JSON.stringify(rules.bookingDeadline) : null,
          cancel_deadline: rules.cancelDeadline ? JSON.stringify(rules.cancelDeadline) : null,
          booking_window_days: rules.windowDays,
          booking_opens_at: rules.opensAt
            ? parisInstant(rules.opensAt.slice(0, 10), rules.opensAt.slice(11, 16))
            : null,
          capacity: rules.capacity,
          capacity_split: rules.split,
          capacity_groups: JSON.stringify(rules.groups),
          booking_unit: rules.unit,
          sick_declaration_until: rules.sickUntil,
        });
      await audit.record(
        tx,
        actor,
        'reservations.booking_rules',
        { type: 'service', id: serviceId },
        { capacity: rules.capacity, split: rules.split, unit: rules.unit },
      );
    });
  }

  return { visibleService, record, updateBookingRules };
}

export interface BookingRulesInput {
  bookingDeadline: object | null;
  cancelDeadline: object | null;
  windowDays: number | null;
  opensAt: string | null;
  capacity: number | null;
  split: 'none' | 'age' | 'school';
  groups: CapacityGroup[];
  unit: 'day' | 'week';
  sickUntil: string;
}

/** "key ; label ; min age ; max age ; school id ; seats", one group a line; null when a line is wrong. */
export function parseGroups(text: string): CapacityGroup[] | null {
  const groups: CapacityGroup[] = [];
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [key, label, minAge, maxAge, schoolId, capacity] = line.split(';').map((p) => p.trim());
    const int = (v: string | undefined) =>
      v === undefined || v === '' ? undefined : /^\d{1,6}$/.test(v) ? Number(v) : NaN;
    const group = {
      key: key ?? '',
      label: label || undefined,
      minAge: int(minAge),
      maxAge: int(maxAge),
      schoolId: int(schoolId),
      capacity: int(capacity),
    };
    if (
      !/^[\w-]{1,40}$/.test(group.key) ||
      group.capacity === undefined ||
      Object.values(group).some((v) => Number.isNaN(v))
    )
      return null;
    groups.push({ ...group, capacity: group.capacity });
  }
  return groups;
}

export function formatGroups(groups: CapacityGroup[]): string {
  return groups
    .map((g) =>
      [g.key, g.label ?? '', g.minAge ?? '', g.maxAge ?? '', g.schoolId ?? '', g.capacity].join(' ; '),
    )
    .join('\n');
}
