// The request types of enrolments. A decision on the request updates the enrolment in the same
// transaction: accepted → enrolled, refused → refused, cancelled by the parent → withdrawn;
// an accepted "fin d'inscription" ends the enrolment on the day asked.
import type { Tx } from '../platform/db.js';
import type { RequestTypeHooks } from '../requests/service.js';
import type { RequestRow, RequestStatus } from '../requests/repository.js';
import { enrolmentStaffDetails } from './details.js';
import { findByRequest, lockEnrolment, updateEnrolment } from './repository.js';

async function decidedAt(tx: Tx, request: RequestRow): Promise<Date> {
  const row = (await tx('requests').where({ id: request.id }).first('updated_at')) as { updated_at: Date };
  return row.updated_at;
}

async function onEnrolmentStatus(tx: Tx, request: RequestRow, status: RequestStatus): Promise<void> {
  const e = await findByRequest(tx, request.id);
  if (!e || e.status !== 'submitted') return;
  if (status === 'accepted')
    await updateEnrolment(tx, e.id, { status: 'accepted', decided_at: await decidedAt(tx, request) });
  else if (status === 'refused')
    await updateEnrolment(tx, e.id, { status: 'refused', decided_at: await decidedAt(tx, request) });
  else if (status === 'cancelled')
    await updateEnrolment(tx, e.id, { status: 'withdrawn', decided_at: await decidedAt(tx, request) });
}

async function onEndStatus(tx: Tx, request: RequestRow, status: RequestStatus): Promise<void> {
  if (status !== 'accepted') return;
  const id = Number(request.data.enrolmentId);
  const endsOn = String(request.data.endsOn);
  const e = Number.isSafeInteger(id) ? await lockEnrolment(tx, id) : undefined;
  if (!e || e.status !== 'accepted' || e.household_id !== request.household_id) return;
  await updateEnrolment(tx, e.id, {
    status: 'ended',
    ends_on: endsOn,
    ended_at: await decidedAt(tx, request),
  });
}

/** The enrolments feature's request types (declared in its index.ts). */
export const enrolmentRequestTypes: Record<string, RequestTypeHooks> = {
  enrolment: { onStatus: onEnrolmentStatus, staffDetails: enrolmentStaffDetails },
  derogation: { onStatus: onEnrolmentStatus, staffDetails: enrolmentStaffDetails },
  enrolment_end: { onStatus: onEndStatus, staffDetails: enrolmentStaffDetails },
};
