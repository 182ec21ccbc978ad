// Demo enrolments so the demo shows every state: for the demo households (seeds/030, looked up by
// the demo accounts' emails; skipped when absent), some accepted, one waiting with a document missing.
import type { AppDeps } from '../deps.js';
import { SYSTEM } from '../platform/audit.js';
import { withTransaction } from '../platform/db.js';
import { createRequestsService } from '../requests/service.js';
import { tFr } from '../web/i18n.js';
import { childrenOfHousehold, householdIdOf } from '../households/access.js';
import { findActive, insertEnrolment, updateEnrolment } from './repository.js';
import './hooks.js';

export async function seedDemoEnrolments(deps: AppDeps, schoolYearId: string): Promise<void> {
  const { db } = deps;
  const requests = createRequestsService(deps);
  const serviceByKind = async (kind: string) =>
    (await db('services')
      .where({ school_year_id: schoolYearId, kind })
      .orderBy('id')
      .first('id', 'name', 'weekdays')) as { id: number; name: string; weekdays: number[] } | undefined;
  const canteen = await serviceByKind('canteen');
  const evening = await serviceByKind('after_school');
  const wednesday = await serviceByKind('wednesday');

  // [account email, child index, service, final status]
  const plan: [string, number, typeof canteen, 'accepted' | 'submitted'][] = [
    ['parent@demo.test', 0, canteen, 'accepted'],
    ['parent@demo.test', 0, evening, 'accepted'],
    ['parent@demo.test', 1, canteen, 'accepted'],
    ['parent2@demo.test', 0, wednesday, 'submitted'],
  ];
  for (const [email, index, service, status] of plan) {
    if (!service) continue;
    const account = (await db('accounts').where({ email }).first('id')) as { id: number } | undefined;
    const householdId = account ? await householdIdOf(db, account.id) : null;
    if (!account || !householdId) continue;
    const child = (await childrenOfHousehold(db, householdId))[index];
    if (!child) continue;
    const school = child.school_id
      ? await db('schools').where({ id: child.school_id }).first('runs_own_canteen')
      : null;
    if (school?.runs_own_canteen && service === canteen) continue;
    if (await db('enrolments').where({ child_id: child.id, service_id: service.id }).first('id')) continue;
    if (await findActive(db, child.id, service.id)) continue;
    await withTransaction(db, async (tx) => {
      const now = deps.clock.now();
      const id = await insertEnrolment(tx, {
        child_id: child.id,
        service_id: service.id,
        household_id: householdId,
        school_year_id: schoolYearId,
        status: 'draft',
        step: 'done',
        options: { weekdays: service.weekdays },
        school_id: null,
        derogation: false,
        created_by: account.id,
        created_at: now,
      });
      const request = await requests.create(tx, {
        type: 'enrolment',
        accountId: account.id,
        householdId,
        childId: child.id,
        summary: tFr('enrolments.requestSummary.enrolment', {
          child: `${child.first_name} ${child.last_name}`,
          service: service.name,
        }),
        data: { enrolmentId: id, serviceId: service.id },
        actor: { accountId: account.id, role: 'parent' },
      });
      await updateEnrolment(tx, id, { status: 'submitted', request_id: request.id, submitted_at: now });
      if (status === 'accepted') await requests.decide(request.id, 'accepted', SYSTEM, null, tx);
    });
  }
}
