// Counts for the staff home (src/admin): the open requests of the staff queue, by type.
import type { Queryable } from '../platform/db.js';
import { OPEN_STATUSES } from './repository.js';

/** Open requests by type (what /admin/requests?type=… lists), most numerous first. */
export async function openRequestCountsByType(q: Queryable): Promise<{ type: string; count: number }[]> {
  const rows = (await q('requests')
    .whereIn('status', OPEN_STATUSES)
    .groupBy('type')
    .select('type')
    .count({ n: '*' })
    .orderBy([{ column: 'n', order: 'desc' }, { column: 'type' }])) as { type: string; n: number | string }[];
  return rows.map((r) => ({ type: r.type, count: Number(r.n) }));
}
