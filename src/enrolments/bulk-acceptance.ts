// Bulk acceptance by staff: stricter than the parent's submission rule (document-check.ts, where a
// pending document counts), an enrolment is accepted in bulk only when each mandatory document has
// been checked by staff (accepted) and is valid long enough. The others say what is missing.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction, type Queryable } from '../platform/db.js';
import { createRequestsService } from '../requests/service.js';
import { createServicesService, type ServiceDetails } from '../services/service.js';
import { FormError } from '../web/forms.js';
import { periodOf, serviceOf } from './lookups.js';
import { countingDocuments, lockEnrolment } from './repository.js';

/** Why a mandatory document stops a bulk acceptance: none, not checked yet, or not valid long enough. */
type MissingReason = 'missing' | 'pending' | 'too_short';
export interface MissingDocument {
  name: string;
  reason: MissingReason;
}

/** The mandatory documents not yet accepted and valid for the enrolment's period (none: ready). */
async function missingForAcceptance(
  deps: AppDeps,
  q: Queryable,
  input: { householdId: number; childId: number; service: ServiceDetails },
): Promise<MissingDocument[]> {
  const reqs = input.service.requirements;
  if (!reqs.length) return [];
  const period = await periodOf(deps, q, input.service.school_year_id);
  const docs = await countingDocuments(
    q,
    input.householdId,
    input.childId,
    reqs.map((r) => r.document_type_id),
  );
  const missing: MissingDocument[] = [];
  for (const r of reqs) {
    const neededOn = r.rule === 'valid_whole_period' ? period.end : period.start;
    const ofType = docs.filter(
      (d) =>
        d.type_id === r.document_type_id &&
        (r.scope === 'child' ? d.member_id === input.childId : d.member_id === null),
    );
    const valid = (d: { valid_until: string | null }) => d.valid_until === null || d.valid_until >= neededOn;
    if (ofType.some((d) => d.status === 'accepted' && valid(d))) continue;
    const reason: MissingReason = !ofType.length
      ? 'missing'
      : ofType.some((d) => d.status === 'pending' && valid(d))
        ? 'pending'
        : 'too_short';
    missing.push({ name: r.name, reason });
  }
  return missing;
}

export function createBulkAcceptanceService(deps: AppDeps) {
  const requests = createRequestsService(deps);
  const catalogue = createServicesService(deps);

  return {
    /** What each submitted enrolment of a staff list still lacks before it can be accepted in bulk. */
    async missingByEnrolment(
      rows: { id: number; status: string; household_id: number; child_id: number; service_id: number }[],
      services: ServiceDetails[],
    ): Promise<Map<number, MissingDocument[]>> {
      const out = new Map<number, MissingDocument[]>();
      for (const r of rows.filter((x) => x.status === 'submitted')) {
        const service = services.find((s) => s.id === r.service_id) ?? (await catalogue.get(r.service_id));
        if (!service) continue;
        out.set(
          r.id,
          await missingForAcceptance(deps, deps.db, {
            householdId: r.household_id,
            childId: r.child_id,
            service,
          }),
        );
      }
      return out;
    },

    /** Accepts, each in its own transaction, the submitted enrolments whose documents are accepted and valid. */
    async bulkAccept(ids: number[], actor: Actor): Promise<{ accepted: number; skipped: number }> {
      let accepted = 0;
      for (const id of [...new Set(ids)]) {
        const ok = await withTransaction(deps.db, async (tx) => {
          const e = await lockEnrolment(tx, id);
          if (!e || e.status !== 'submitted' || !e.request_id) return false;
          const service = await serviceOf(deps, tx, e.service_id);
          const missing = await missingForAcceptance(deps, tx, {
            householdId: e.household_id,
            childId: e.child_id,
            service,
          });
          if (missing.length) return false;
          const r = await tx('requests').where({ id: e.request_id }).first('status');
          if (!['submitted', 'in_review'].includes(r?.status)) return false;
          await requests.decide(e.request_id, 'accepted', actor, null, tx);
          return true;
        }).catch((err: unknown) => {
          if (err instanceof FormError) return false;
          throw err;
        });
        if (ok) accepted++;
      }
      if (accepted)
        await deps.audit.record(deps.db, actor, 'enrolments.bulk_accepted', null, { count: accepted });
      return { accepted, skipped: new Set(ids).size - accepted };
    },
  };
}
