// Possible duplicates when a household is created. At the desk, staff see the candidates first
// and may create anyway. Online, a parent is warned only about a household that holds their own
// account's email (verified at sign-up: their own data), without any detail; any other
// resemblance (a phone, a name) is never shown to them, which would let anyone probe who is
// registered: the household is created and the resemblance is recorded in its history for staff.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { findDuplicates } from './duplicates.js';
import type { HouseholdInput } from './schemas.js';

const phonesOf = (input: HouseholdInput) => [input.phone_mobile, input.phone_home, input.phone_work];

export function createDuplicatesService(deps: AppDeps) {
  return {
    /** Open households like the one staff are creating at the desk. */
    deskDuplicates(input: HouseholdInput, guardian: { first_name: string; last_name: string }) {
      return findDuplicates(deps.db, {
        email: input.email,
        phones: phonesOf(input),
        guardian: {
          ...guardian,
          street_id: input.address_kind === 'town' ? input.street_id : null,
          house_number: input.house_number,
          address_line: input.address_kind === 'town' ? null : input.address_line,
        },
      });
    },

    /** Staff adding a child: other open households with a child of that name and birth date. */
    childDuplicates(
      householdId: number,
      child: { first_name: string; last_name: string; birth_date: string },
    ) {
      return findDuplicates(deps.db, {
        children: [
          { first_name: child.first_name, last_name: child.last_name, birth_date: child.birth_date },
        ],
        excludeId: householdId,
      });
    },

    /** Whether an open household already holds this (the parent's own, verified) email. */
    async householdWithOwnEmail(email: string): Promise<boolean> {
      return (await findDuplicates(deps.db, { email }, 1)).length > 0;
    },

    /** After a parent created a household: resemblances go to its history, for staff only. */
    async notePossibleDuplicates(householdId: number, input: HouseholdInput, actor: Actor) {
      const found = await findDuplicates(deps.db, {
        email: input.email,
        phones: phonesOf(input),
        excludeId: householdId,
      });
      if (!found.length) return;
      await deps.audit.record(
        deps.db,
        actor,
        'households.possible_duplicate',
        { type: 'household', id: householdId },
        { candidates: found.map((c) => c.id) },
      );
    },
  };
}
