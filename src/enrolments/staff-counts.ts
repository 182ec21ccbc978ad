// Counts for the staff home (src/admin): enrolments submitted and awaiting a decision.
import type { Queryable } from '../platform/db.js';
import { staffList } from './repository.js';

/** Submitted enrolments: what /admin/enrolments?status=submitted lists. */
export async function submittedEnrolmentCount(q: Queryable): Promise<number> {
  const [row] = (await staffList(q, { status: 'submitted' }).clearSelect().count({ n: '*' })) as [
    { n: number | string },
  ];
  return Number(row.n);
}
