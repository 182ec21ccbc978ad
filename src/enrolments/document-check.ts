// The mandatory documents rule: each document type a service requires must be in the vault
// (pending counts), valid long enough for the period the enrolment covers.
import type { AppDeps } from '../deps.js';
import type { Queryable } from '../platform/db.js';
import type { RequirementRow } from '../services/repository.js';
import type { ServiceDetails } from '../services/service.js';
import { periodOf } from './lookups.js';
import { countingDocuments, type VaultDocument } from './repository.js';

interface RequirementState {
  requirement: RequirementRow;
  state: 'ok' | 'missing' | 'too_short';
  document: VaultDocument | null;
  /** The day the document must still be valid on. */
  neededOn: string;
  /** Where to provide it: the vault's upload page, coming back to the documents step. */
  uploadUrl: string;
}

export interface DocumentCheck {
  items: RequirementState[];
  complete: boolean;
}

/**
 * The mandatory documents rule: each required type needs a document in the vault (pending
 * counts) valid on the period's first day (valid_at_start) or until its last day (valid_whole_period).
 */
export async function checkDocuments(
  deps: AppDeps,
  q: Queryable,
  input: { householdId: number; childId: number; service: ServiceDetails; returnTo: string },
): Promise<DocumentCheck> {
  const reqs = input.service.requirements;
  if (!reqs.length) return { items: [], complete: true };
  const period = await periodOf(deps, q, input.service.school_year_id);
  const docs = await countingDocuments(
    q,
    input.householdId,
    input.childId,
    reqs.map((r) => r.document_type_id),
  );
  const items = reqs.map((r): RequirementState => {
    const neededOn = r.rule === 'valid_whole_period' ? period.end : period.start;
    const candidates = docs.filter(
      (d) =>
        d.type_id === r.document_type_id &&
        (r.scope === 'child' ? d.member_id === input.childId : d.member_id === null),
    );
    // The best one: valid the longest (no end date first), accepted before pending.
    candidates.sort(
      (a, b) =>
        (b.valid_until ?? '9999-12-31').localeCompare(a.valid_until ?? '9999-12-31') ||
        (a.status === 'accepted' ? -1 : 1) - (b.status === 'accepted' ? -1 : 1),
    );
    const best = candidates[0] ?? null;
    const state = !best
      ? 'missing'
      : best.valid_until === null || best.valid_until >= neededOn
        ? 'ok'
        : 'too_short';
    const params = new URLSearchParams({
      type: r.code,
      member: r.scope === 'child' ? String(input.childId) : '',
      return_to: input.returnTo,
    });
    return {
      requirement: r,
      state,
      document: best,
      neededOn,
      uploadUrl: `/documents?${params.toString()}`,
    };
  });
  return { items, complete: items.every((i) => i.state === 'ok') };
}
