// The family card: created by a parent (who becomes its first guardian) or by staff at the desk
// (with an activation code), its address and contacts, what its pages show, and the staff search
// and history.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { OPEN_STATUSES } from '../requests/service.js';
import { withTransaction, type Queryable, type Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { FormError } from '../web/forms.js';
import { householdIdOf } from './access.js';
import * as repo from './repository.js';
import { currentActivationCode } from './repository-activation.js';
import { pendingInvitations } from './repository-invitations.js';
import { householdHistory, searchHouseholds } from './repository-search.js';
import type { HouseholdInput } from './schemas.js';
import { householdAudit, issueCode, MAX_GUARDIAN_ACCOUNTS } from './service-shared.js';

export function createHouseholdCardService(deps: AppDeps) {
  const audit = householdAudit(deps);

  /** The address columns from the form: a street of the town, or a free address out of town. */
  async function addressOf(q: Queryable, input: HouseholdInput) {
    if (input.address_kind === 'town') {
      const street = input.street_id ? await repo.findStreet(q, input.street_id) : undefined;
      if (!street) throw new FormError('street_id', 'households.errors.streetRequired');
      const town = await getTown(deps.db);
      return {
        out_of_town: false,
        street_id: street.id,
        house_number: input.house_number,
        address_line: null,
        address_complement: input.address_complement,
        postcode: town?.postcode ?? null,
        city: town?.city ?? null,
      };
    }
    return {
      out_of_town: true,
      street_id: null,
      house_number: null,
      address_line: input.address_line,
      address_complement: input.address_complement,
      postcode: input.postcode,
      city: input.city,
    };
  }

  const contactColumns = (input: HouseholdInput) => ({
    phone_mobile: input.phone_mobile,
    phone_home: input.phone_home,
    phone_work: input.phone_work,
    email: input.email,
    allocataire_kind: input.allocataire_kind || null,
    allocataire_number: input.allocataire_kind ? input.allocataire_number : null,
  });

  async function createHouseholdRow(tx: Tx, input: HouseholdInput, actor: Actor) {
    const now = deps.clock.now();
    const familyNumber = await repo.nextFamilyNumber(tx);
    const id = await repo.insertHousehold(tx, {
      family_number: familyNumber,
      ...(await addressOf(tx, input)),
      ...contactColumns(input),
      paperless: input.paperless,
      paperless_changed_at: input.paperless ? null : now,
      created_at: now,
      created_by: actor.accountId,
    });
    return { id, familyNumber };
  }

  return {
    async formOptions() {
      const [streetList, schoolList] = await Promise.all([repo.streets(deps.db), repo.schools(deps.db)]);
      return { streets: streetList, schools: schoolList };
    },

    /** The family card and everything on it, for the household's own pages. */
    async overview(householdId: number) {
      const household = await repo.householdView(deps.db, householdId);
      if (!household) return undefined;
      const [accounts, members, links, invitations, activationCode] = await Promise.all([
        repo.householdAccounts(deps.db, householdId),
        repo.listMembers(deps.db, householdId),
        repo.guardianLinks(deps.db, householdId),
        pendingInvitations(deps.db, householdId, deps.clock.now()),
        currentActivationCode(deps.db, householdId),
      ]);
      const openDeletions = new Set(
        (
          (await deps
            .db('requests')
            .where({ household_id: householdId, type: 'contact_deletion' })
            .whereIn('status', OPEN_STATUSES)
            .select('data')) as { data: { member_id?: number } }[]
        ).map((r) => Number(r.data.member_id)),
      );
      return {
        household,
        accounts,
        members,
        links,
        invitations,
        activationCode,
        openDeletions,
        canInvite: accounts.length < MAX_GUARDIAN_ACCOUNTS,
      };
    },

    /** A parent creates their household: the account becomes its first guardian. */
    async createForParent(
      account: { id: number; firstName: string; lastName: string; email: string },
      input: HouseholdInput,
    ) {
      return withTransaction(deps.db, async (tx) => {
        if (await householdIdOf(tx, account.id))
          throw new FormError('form', 'households.errors.alreadyLinked');
        const actor = { accountId: account.id, role: 'parent' };
        const { id, familyNumber } = await createHouseholdRow(tx, input, actor);
        const now = deps.clock.now();
        await repo.linkAccount(tx, id, account.id, now);
        const memberId = await repo.insertMember(tx, {
          kind: 'guardian',
          first_name: account.firstName,
          last_name: account.lastName,
          email: account.email,
          phone: input.phone_mobile ?? input.phone_home,
          account_id: account.id,
          created_at: now,
        });
        await repo.linkMember(tx, id, memberId, now);
        await audit(tx, actor, 'households.created', id);
        return { id, familyNumber };
      });
    },

    /** Staff create a household at the desk, with its first guardian and an activation code. */
    async createAtDesk(
      input: HouseholdInput,
      guardian: { first_name: string; last_name: string },
      actor: Actor,
    ) {
      return withTransaction(deps.db, async (tx) => {
        const { id, familyNumber } = await createHouseholdRow(tx, input, actor);
        const now = deps.clock.now();
        const memberId = await repo.insertMember(tx, {
          kind: 'guardian',
          ...guardian,
          email: input.email,
          phone: input.phone_mobile ?? input.phone_home,
          created_at: now,
        });
        await repo.linkMember(tx, id, memberId, now);
        await audit(tx, actor, 'households.created', id);
        const code = await issueCode(deps, tx, id, actor);
        return { id, familyNumber, code };
      });
    },

    async update(householdId: number, input: HouseholdInput, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const before = await tx<repo.HouseholdRow>('households')
          .where({ id: householdId })
          .forUpdate()
          .first();
        if (!before) throw new FormError('form', 'errors.invalid');
        const now = deps.clock.now();
        const paperlessChanged = before.paperless !== input.paperless;
        await repo.updateHousehold(tx, householdId, {
          ...(await addressOf(tx, input)),
          ...contactColumns(input),
          paperless: input.paperless,
          ...(paperlessChanged ? { paperless_changed_at: now } : {}),
          updated_at: now,
        });
        await audit(
          tx,
          actor,
          'households.updated',
          householdId,
          paperlessChanged ? { paperless: input.paperless } : {},
        );
      });
    },

    history: (householdId: number) => householdHistory(deps.db, householdId),
    search: (q: string, page: number, pageSize: number) => searchHouseholds(deps.db, q, page, pageSize),
  };
}
