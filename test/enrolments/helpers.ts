// Fixtures of the enrolment tests: document types, services with their requirements, and
// documents inserted straight into the vault (the upload UI is the documents feature's).
import type { AppDeps } from '../../src/deps.js';
import { createService } from '../support/index.js';

const TYPES = [
  { code: 'insurance', name: 'Attestation d’assurance', scope: 'child' },
  { code: 'vaccinations', name: 'Carnet de vaccination', scope: 'child' },
  { code: 'proof_of_address', name: 'Justificatif de domicile', scope: 'household' },
];

export async function documentType(deps: AppDeps, code: string): Promise<{ id: number; scope: string }> {
  const t = TYPES.find((x) => x.code === code)!;
  await deps.db('document_types').insert(t).onConflict('code').ignore();
  return (await deps.db('document_types').where({ code }).first('id', 'scope')) as {
    id: number;
    scope: string;
  };
}

/** A service of 2026-2027 requiring documents: [code, rule][]; both public schools eligible for a canteen. */
export async function serviceWith(
  deps: AppDeps,
  overrides: Record<string, unknown> = {},
  requirements: [string, 'valid_at_start' | 'valid_whole_period'][] = [
    ['insurance', 'valid_at_start'],
    ['vaccinations', 'valid_whole_period'],
  ],
) {
  const s = await createService(deps, { needs_validation: true, ...overrides });
  if (s.kind === 'canteen') {
    const schools = (await deps.db('schools').where({ is_public: true }).select('id')) as { id: number }[];
    for (const school of schools)
      await deps.db('service_schools').insert({ service_id: s.id, school_id: school.id });
  }
  for (const [code, rule] of requirements) {
    const type = await documentType(deps, code);
    await deps.db('service_requirements').insert({ service_id: s.id, document_type_id: type.id, rule });
  }
  return s;
}

/** A document in the vault of the household (for the child when the type is per child). */
export async function addDocument(
  deps: AppDeps,
  householdId: number,
  childId: number,
  code: string,
  opts: { status?: 'pending' | 'accepted' | 'rejected'; validUntil?: string | null } = {},
): Promise<number> {
  const type = await documentType(deps, code);
  const [row] = await deps
    .db('documents')
    .insert({
      household_id: householdId,
      member_id: type.scope === 'child' ? childId : null,
      type_id: type.id,
      status: opts.status ?? 'pending',
      valid_until: opts.validUntil === undefined ? '2027-08-31' : opts.validUntil,
      uploaded_at: deps.clock.now(),
    })
    .returning('id');
  return (row as { id: number }).id;
}

export const counts = async (deps: AppDeps) => ({
  enrolments: Number(
    ((await deps.db('enrolments').whereNot('status', 'draft').count({ c: '*' })) as [{ c: number }])[0].c,
  ),
  requests: Number(
    (
      (await deps
        .db('requests')
        .whereIn('type', ['enrolment', 'derogation', 'enrolment_end'])
        .count({ c: '*' })) as [{ c: number }]
    )[0].c,
  ),
});
