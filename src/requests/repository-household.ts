// SQL of a household's requests (démarches) as staff read them on the family's desk page.
import type { Queryable } from '../platform/db.js';
import { OPEN_STATUSES, type RequestStatus } from './repository.js';

/** The household's requests still to handle (submitted, in review, incomplete), oldest first. */
export const openRequestsOfHousehold = (q: Queryable, householdId: number) =>
  q('requests')
    .where({ household_id: householdId })
    .whereIn('status', OPEN_STATUSES)
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select('id', 'type', 'tracking_code', 'status', 'summary', 'created_at') as Promise<
    {
      id: number;
      type: string;
      tracking_code: string;
      status: RequestStatus;
      summary: string;
      created_at: Date;
    }[]
  >;
