// The staff review queue: pending documents, oldest first. No rules here: the service decides.
import type { Queryable } from '../platform/db.js';
import type { DocumentView } from './repository.js';

export interface QueueFilters {
  typeId: number | null;
  page: number;
  pageSize: number;
}

function queueQuery(q: Queryable, f: QueueFilters) {
  return q('documents as d')
    .where('d.status', 'pending')
    .whereNull('d.superseded_at')
    .whereNull('d.deleted_at')
    .modify((qb) => {
      if (f.typeId) qb.where('d.type_id', f.typeId);
    });
}

export async function pendingQueue(q: Queryable, f: QueueFilters) {
  const [{ count }] = (await queueQuery(q, f).count({ count: '*' })) as [{ count: number }];
  const rows = await queueQuery(q, f)
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .join('households as h', 'h.id', 'd.household_id')
    .leftJoin('members as m', 'm.id', 'd.member_id')
    .select(
      'd.id',
      'd.uploaded_at',
      'd.uploaded_by_staff',
      'd.replaces_id',
      'dt.name as type_name',
      'h.family_number',
      'm.first_name as child_first_name',
      'm.last_name as child_last_name',
    )
    .select(q.raw('(SELECT count(*) FROM document_files f WHERE f.document_id = d.id)::int AS file_count'))
    .orderBy([{ column: 'd.uploaded_at' }, { column: 'd.id' }])
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  return {
    count: Number(count),
    rows: rows as (Pick<
      DocumentView,
      | 'id'
      | 'uploaded_at'
      | 'uploaded_by_staff'
      | 'replaces_id'
      | 'type_name'
      | 'child_first_name'
      | 'child_last_name'
      | 'file_count'
    > & { family_number: string })[],
  };
}
