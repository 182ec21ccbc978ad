// The household's rules: the family card, its members, guardian accounts (invitation, activation
// code), contact deletion through a request, and alternating custody. Every change is an audit
// event about the household, which makes the household's history on the staff side.
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today, TIME_ZONE } from '../platform/clock.js';
import { hashToken, randomCode } from '../platform/codes.js';
import { withTransaction, type Queryable, type Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { createRequestsService } from '../requests/service.js';
import { OPEN_STATUSES } from '../requests/service.js';
import { type RequestRow } from '../requests/repository.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { householdIdOf } from './access.js';
import * as repo from './repository.js';
import { normaliseFamilyNumber, type HouseholdInput, type MemberInput } from './schemas.js';

const ACTIVATION_CODE_LENGTH = 12;
const ACTIVATION_CODE_DAYS = 90;
const ACTIVATION_MAX_TRIES = 5;
const INVITATION_DAYS = 7;
const MAX_GUARDIAN_ACCOUNTS = 2;

const householdSubject = (id: number) => ({ type: 'household', id });

export function createHouseholdsService(deps: AppDeps) {
  const requests = createRequestsService(deps);
  const audit = (
    tx: Queryable,
    actor: Actor,
    action: string,
    householdId: number,
    details: Record<string, unknown> = {},
  ) => deps.audit.record(tx, actor, action, householdSubject(householdId), details);

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

  async function checkChild(q: Queryable, input: Extract<MemberInput, { kind: 'child' }>) {
    const day = today(deps.clock);
    if (input.birth_date > day) throw new FormError('birth_date', 'households.errors.birthDateFuture');
    const eighteen = DateTime.fromISO(day, { zone: TIME_ZONE }).minus({ years: 18 }).toISODate()!;
    if (input.birth_date <= eighteen) throw new FormError('birth_date', 'households.errors.birthDateAdult');
    if (input.school_id) {
      const school = await repo.findSchool(q, input.school_id);
      if (!school) throw new FormError('school_id', 'households.errors.schoolInvalid');
      if (!input.class_level) throw new FormError('class_level', 'households.errors.classLevelRequired');
      if (!school.class_levels.includes(input.class_level))
        throw new FormError('class_level', 'households.errors.classLevelInvalid', { school: school.name });
    } else if (input.class_level) {
      throw new FormError('school_id', 'households.errors.schoolRequiredForClass');
    }
  }

  /** The member columns from the form, per kind. Dates of consent are set by the caller. */
  function memberColumns(input: MemberInput): Record<string, unknown> {
    const base = { first_name: input.first_name, last_name: input.last_name };
    if (input.kind === 'child') {
      return {
        ...base,
        birth_date: input.birth_date,
        sex: input.sex,
        school_id: input.school_id,
        class_level: input.school_id ? input.class_level : null,
        diet: input.diet,
        allergies: input.allergies,
        has_pai: input.has_pai,
        doctor_name: input.doctor_name,
        doctor_phone: input.doctor_phone,
        image_rights: input.image_rights,
      };
    }
    if (input.kind === 'guardian')
      return {
        ...base,
        relationship: input.relationship,
        phone: input.phone,
        phone2: input.phone2,
        email: input.email,
      };
    return {
      ...base,
      phone: input.phone,
      relationship: input.relationship,
      can_pick_up: input.can_pick_up,
      emergency_contact: input.emergency_contact,
    };
  }

  async function checkGuardianChildren(q: Queryable, householdId: number, childIds: number[]) {
    const members = await repo.listMembers(q, householdId);
    const children = new Set(members.filter((m) => m.kind === 'child').map((m) => m.id));
    if (childIds.some((id) => !children.has(id))) throw new FormError('children', 'errors.invalid');
  }

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

  async function issueCode(tx: Tx, householdId: number, actor: Actor): Promise<string> {
    const now = deps.clock.now();
    await repo.revokeActivationCodes(tx, householdId, now);
    const code = randomCode(ACTIVATION_CODE_LENGTH);
    await repo.insertActivationCode(tx, {
      household_id: householdId,
      code_hash: hashToken(code),
      created_by: actor.accountId,
      created_at: now,
      expires_at: DateTime.fromJSDate(now).plus({ days: ACTIVATION_CODE_DAYS }).toJSDate(),
    });
    await audit(tx, actor, 'households.activation_code_issued', householdId);
    return code;
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
        repo.pendingInvitations(deps.db, householdId, deps.clock.now()),
        repo.currentActivationCode(deps.db, householdId),
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
        const code = await issueCode(tx, id, actor);
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

    async addMember(householdId: number, input: MemberInput, actor: Actor): Promise<number> {
      return withTransaction(deps.db, async (tx) => {
        if (input.kind === 'child') await checkChild(tx, input);
        if (input.kind === 'guardian') await checkGuardianChildren(tx, householdId, input.children);
        const now = deps.clock.now();
        const columns = memberColumns(input);
        const id = await repo.insertMember(tx, {
          kind: input.kind,
          ...columns,
          ...(input.kind === 'child' && input.image_rights ? { image_rights_at: now } : {}),
          created_at: now,
        });
        await repo.linkMember(tx, householdId, id, now);
        if (input.kind === 'guardian') await repo.setGuardianChildren(tx, id, input.children);
        await audit(tx, actor, 'households.member_added', householdId, { memberId: id, kind: input.kind });
        return id;
      });
    },

    async updateMember(
      householdId: number,
      memberId: number,
      input: MemberInput,
      actor: Actor,
    ): Promise<void> {
      return withTransaction(deps.db, async (tx) => {
        const member = await repo.findMemberOfHousehold(tx, householdId, memberId);
        if (!member || member.kind !== input.kind) throw new FormError('form', 'errors.invalid');
        if (input.kind === 'child') await checkChild(tx, input);
        if (input.kind === 'guardian') await checkGuardianChildren(tx, householdId, input.children);
        const now = deps.clock.now();
        const imageRightsChanged = input.kind === 'child' && input.image_rights !== member.image_rights;
        await repo.updateMember(tx, memberId, {
          ...memberColumns(input),
          ...(imageRightsChanged ? { image_rights_at: now } : {}),
          updated_at: now,
        });
        if (input.kind === 'guardian') await repo.setGuardianChildren(tx, memberId, input.children);
        await audit(tx, actor, 'households.member_updated', householdId, {
          memberId,
          ...(imageRightsChanged ? { imageRights: input.kind === 'child' && input.image_rights } : {}),
        });
      });
    },

    /** Parents cannot delete a contact: they ask staff, through a request. */
    async requestContactDeletion(
      householdId: number,
      memberId: number,
      actor: Actor & { accountId: number },
    ): Promise<RequestRow> {
      return withTransaction(deps.db, async (tx) => {
        const contact = await repo.findMemberOfHousehold(tx, householdId, memberId);
        if (!contact || contact.kind !== 'contact') throw new FormError('form', 'errors.invalid');
        const open = await tx('requests')
          .where({ household_id: householdId, type: 'contact_deletion' })
          .whereIn('status', OPEN_STATUSES)
          .whereRaw("data->>'member_id' = ?", [String(memberId)])
          .first('id');
        if (open) throw new FormError('form', 'households.errors.deletionAlreadyAsked');
        const request = await requests.create(tx, {
          type: 'contact_deletion',
          accountId: actor.accountId,
          householdId,
          summary: tFr('households.requests.contactSummary', {
            name: `${contact.first_name} ${contact.last_name}`,
          }),
          data: { member_id: memberId },
          actor,
        });
        await audit(tx, actor, 'households.contact_deletion_requested', householdId, {
          memberId,
          requestId: request.id,
        });
        return request;
      });
    },

    /** Staff delete a contact directly (soft delete). */
    async deleteContact(householdId: number, memberId: number, actor: Actor): Promise<void> {
      return withTransaction(deps.db, async (tx) => {
        const contact = await repo.findMemberOfHousehold(tx, householdId, memberId);
        if (!contact || contact.kind !== 'contact') throw new FormError('form', 'errors.invalid');
        await repo.updateMember(tx, memberId, { deleted_at: deps.clock.now() });
        await audit(tx, actor, 'households.contact_deleted', householdId, { memberId });
      });
    },

    /** The first guardian invites a second by email: a link valid 7 days, stored hashed, used once. */
    async invite(householdId: number, email: string, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const accounts = await repo.householdAccounts(tx, householdId);
        if (accounts.length >= MAX_GUARDIAN_ACCOUNTS)
          throw new FormError('email', 'households.errors.tooManyGuardians');
        if (accounts.some((a) => a.email.toLowerCase() === email.toLowerCase()))
          throw new FormError('email', 'households.errors.alreadyGuardian');
        const token = randomBytes(32).toString('base64url');
        const now = deps.clock.now();
        const id = await repo.insertInvitation(tx, {
          household_id: householdId,
          email,
          token_hash: hashToken(token),
          invited_by: actor.accountId!,
          created_at: now,
          expires_at: DateTime.fromJSDate(now).plus({ days: INVITATION_DAYS }).toJSDate(),
        });
        const inviter = actor.accountId
          ? await tx('accounts').where({ id: actor.accountId }).first('first_name', 'last_name', 'role')
          : null;
        const town = await getTown(deps.db);
        const fromStaff = inviter?.role && inviter.role !== 'parent';
        await deps.outbox.enqueue(tx, {
          to: email,
          kind: 'households.invitation',
          content: {
            townName: town?.name ?? '',
            subject: tFr('households.emails.invitation.subject'),
            paragraphs: [
              fromStaff || !inviter
                ? tFr('households.emails.invitation.textStaff')
                : tFr('households.emails.invitation.text', {
                    name: `${inviter.first_name} ${inviter.last_name}`,
                  }),
              tFr('households.emails.invitation.validity', { days: INVITATION_DAYS }),
            ],
            action: {
              label: tFr('households.emails.invitation.action'),
              url: `${deps.config.baseUrl}/household/invitations/${token}`,
            },
          },
        });
        await audit(tx, actor, 'households.invitation_sent', householdId, { invitationId: id });
        return id;
      });
    },

    async revokeInvitation(householdId: number, invitationId: number, actor: Actor): Promise<boolean> {
      return withTransaction(deps.db, async (tx) => {
        const inv = await repo.findInvitationOfHousehold(tx, householdId, invitationId);
        if (!inv || inv.accepted_at) return false;
        await repo.deleteInvitation(tx, inv.id);
        await audit(tx, actor, 'households.invitation_revoked', householdId, { invitationId });
        return true;
      });
    },

    /** The invitation behind a link, and whether it can still be accepted. */
    async invitation(token: string) {
      const inv = await repo.findInvitationByHash(deps.db, hashToken(token));
      if (!inv) return undefined;
      const state = inv.accepted_at ? 'used' : inv.expires_at <= deps.clock.now() ? 'expired' : 'valid';
      const household = await repo.findHousehold(deps.db, inv.household_id);
      return { invitation: inv, state, familyNumber: household?.family_number ?? '' } as const;
    },

    async acceptInvitation(token: string, account: { id: number; role: string }) {
      return withTransaction(deps.db, async (tx) => {
        const inv = await tx<repo.InvitationRow>('household_invitations')
          .where({ token_hash: hashToken(token) })
          .forUpdate()
          .first();
        if (!inv) throw new FormError('form', 'households.errors.invitationInvalid');
        if (inv.accepted_at) throw new FormError('form', 'households.errors.invitationUsed');
        if (inv.expires_at <= deps.clock.now())
          throw new FormError('form', 'households.errors.invitationExpired');
        if (await householdIdOf(tx, account.id))
          throw new FormError('form', 'households.errors.alreadyLinked');
        if ((await repo.householdAccounts(tx, inv.household_id)).length >= MAX_GUARDIAN_ACCOUNTS)
          throw new FormError('form', 'households.errors.tooManyGuardians');
        const now = deps.clock.now();
        await tx('household_invitations')
          .where({ id: inv.id })
          .update({ accepted_at: now, accepted_by: account.id });
        await linkGuardianAccount(tx, inv.household_id, account.id, now);
        await audit(
          tx,
          { accountId: account.id, role: account.role },
          'households.invitation_accepted',
          inv.household_id,
          { invitationId: inv.id },
        );
        return inv.household_id;
      });
    },

    /** Staff issue a (new) activation code: any older unused one stops working. The plain code is returned once. */
    async issueActivationCode(householdId: number, actor: Actor): Promise<string> {
      return withTransaction(deps.db, (tx) => issueCode(tx, householdId, actor));
    },

    /**
     * A logged-in parent without a household links their account with the family number and the
     * letter's code. Unknown number and wrong code get the same answer; five wrong codes lock it.
     */
    async activate(
      account: { id: number; role: string },
      familyNumberInput: string,
      code: string,
    ): Promise<number> {
      const familyNumber = normaliseFamilyNumber(familyNumberInput);
      type Outcome = { error: string; key: string } | { householdId: number };
      const outcome = await withTransaction<Outcome>(deps.db, async (tx) => {
        if (await householdIdOf(tx, account.id))
          throw new FormError('form', 'households.errors.alreadyLinked');
        const household = await repo.findHouseholdByFamilyNumber(tx, familyNumber);
        const current = household ? await repo.currentActivationCode(tx, household.id) : undefined;
        const row = current ? await repo.lockActivationCodeRow(tx, current.id) : undefined;
        const actor = { accountId: account.id, role: account.role };
        if (!household || !row || row.used_at)
          return { error: 'activation_code', key: 'households.errors.activationWrong' } as const;
        if (row.locked_at || row.failed_attempts >= ACTIVATION_MAX_TRIES)
          return { error: 'activation_code', key: 'households.errors.activationLocked' } as const;
        if (row.code_hash !== hashToken(code)) {
          const attempts = row.failed_attempts + 1;
          const now = deps.clock.now();
          await repo.updateActivationCode(tx, row.id, {
            failed_attempts: attempts,
            ...(attempts >= ACTIVATION_MAX_TRIES ? { locked_at: now } : {}),
          });
          await audit(
            tx,
            actor,
            attempts >= ACTIVATION_MAX_TRIES
              ? 'households.activation_locked'
              : 'households.activation_failed',
            household.id,
            { attempts },
          );
          return {
            error: 'activation_code',
            key:
              attempts >= ACTIVATION_MAX_TRIES
                ? 'households.errors.activationLocked'
                : 'households.errors.activationWrong',
          } as const;
        }
        if (row.expires_at <= deps.clock.now())
          return { error: 'activation_code', key: 'households.errors.activationExpired' } as const;
        if ((await repo.householdAccounts(tx, household.id)).length >= MAX_GUARDIAN_ACCOUNTS)
          return { error: 'form', key: 'households.errors.tooManyGuardians' } as const;
        const now = deps.clock.now();
        await repo.updateActivationCode(tx, row.id, { used_at: now, used_by: account.id });
        await linkGuardianAccount(tx, household.id, account.id, now);
        await audit(tx, actor, 'households.activated', household.id);
        return { householdId: household.id };
      });
      // A wrong try is recorded (committed) before the error is shown.
      if ('error' in outcome) throw new FormError(outcome.error, outcome.key);
      return outcome.householdId;
    },

    /**
     * "I have a family card but not its code": always files a request and gives the same answer,
     * whether or not the number exists, so the form tells nothing about who lives here.
     */
    async lostCode(
      input: {
        family_number: string;
        proof: 'birth_date' | 'postcode';
        child_birth_date: string;
        postcode: string;
        contact_email: string | null;
      },
      account: { id: number; role: string } | null,
    ) {
      return withTransaction(deps.db, async (tx) => {
        const familyNumber = normaliseFamilyNumber(input.family_number);
        const household = await repo.findHouseholdByFamilyNumber(tx, familyNumber);
        let matched = false;
        if (household) {
          if (input.proof === 'postcode') matched = household.postcode === input.postcode;
          else {
            const fr = input.child_birth_date.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
            const day = fr
              ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}`
              : input.child_birth_date;
            matched = (await repo.listMembers(tx, household.id)).some(
              (m) => m.kind === 'child' && m.birth_date === day,
            );
          }
        }
        return requests.create(tx, {
          type: 'lost_activation_code',
          accountId: account?.id ?? null,
          householdId: matched && household ? household.id : null,
          summary: tFr('households.requests.lostCodeSummary', { number: familyNumber }),
          data: {
            family_number: familyNumber,
            proof: input.proof,
            child_birth_date: input.child_birth_date,
            postcode: input.postcode,
            contact_email: input.contact_email,
            matched,
          },
          actor: { accountId: account?.id ?? null, role: account?.role ?? 'public' },
        });
      });
    },

    /** Staff link a child of this household to a second household (alternating custody). */
    async linkCustody(
      householdId: number,
      childId: number,
      otherFamilyNumber: string,
      weeksHere: 'odd' | 'even',
      actor: Actor,
    ): Promise<number> {
      return withTransaction(deps.db, async (tx) => {
        const child = await repo.findMemberOfHousehold(tx, householdId, childId);
        if (!child || child.kind !== 'child') throw new FormError('form', 'errors.invalid');
        const other = await repo.findHouseholdByFamilyNumber(tx, normaliseFamilyNumber(otherFamilyNumber));
        if (!other) throw new FormError('family_number', 'households.errors.familyNumberUnknown');
        if (other.id === householdId)
          throw new FormError('family_number', 'households.errors.custodySameHousehold');
        const links = await repo.memberHouseholds(tx, childId);
        if (links.some((l) => l.household_id === other.id))
          throw new FormError('family_number', 'households.errors.custodyAlreadyLinked');
        if (links.length >= 2) throw new FormError('family_number', 'households.errors.custodyTwoHouseholds');
        const now = deps.clock.now();
        await repo.setCustodyWeeks(tx, householdId, childId, weeksHere);
        await repo.linkMember(tx, other.id, childId, now, weeksHere === 'odd' ? 'even' : 'odd');
        await audit(tx, actor, 'households.custody_linked', householdId, {
          childId,
          otherHouseholdId: other.id,
        });
        await audit(tx, actor, 'households.custody_linked', other.id, {
          childId,
          otherHouseholdId: householdId,
        });
        return other.id;
      });
    },

    /** The child's page: details, documents, enrolments and next booked days, all through this household. */
    async childPage(householdId: number, childId: number) {
      const child = await repo.findMemberOfHousehold(deps.db, householdId, childId);
      if (!child || child.kind !== 'child') return undefined;
      const day = today(deps.clock);
      const [documents, enrolments, reservations, links] = await Promise.all([
        repo.childDocuments(deps.db, householdId, childId),
        repo.childEnrolments(deps.db, householdId, childId),
        repo.nextReservations(deps.db, householdId, day, 10, childId),
        repo.guardianLinks(deps.db, householdId),
      ]);
      const members = await repo.listMembers(deps.db, householdId);
      const guardianIds = new Set(links.filter((l) => l.child_id === childId).map((l) => l.guardian_id));
      const guardians = members.filter((m) => m.kind === 'guardian' && guardianIds.has(m.id));
      return { child, documents, enrolments, reservations, guardians };
    },

    history: (householdId: number) => repo.householdHistory(deps.db, householdId),
    search: (q: string, page: number, pageSize: number) => repo.searchHouseholds(deps.db, q, page, pageSize),
  };

  async function linkGuardianAccount(tx: Tx, householdId: number, accountId: number, now: Date) {
    await repo.linkAccount(tx, householdId, accountId, now);
    // A guardian entered at the desk (no account yet) becomes this account's member.
    const desk = (await repo.listMembers(tx, householdId)).find(
      (m) => m.kind === 'guardian' && m.account_id === null,
    );
    if (desk) {
      await repo.updateMember(tx, desk.id, { account_id: accountId, updated_at: now });
      return;
    }
    const account = await tx('accounts').where({ id: accountId }).first('first_name', 'last_name', 'email');
    const memberId = await repo.insertMember(tx, {
      kind: 'guardian',
      first_name: account.first_name,
      last_name: account.last_name,
      email: account.email,
      account_id: accountId,
      created_at: now,
    });
    await repo.linkMember(tx, householdId, memberId, now);
  }
}
export type HouseholdsService = ReturnType<typeof createHouseholdsService>;
