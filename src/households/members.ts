// The household's members (children, guardians, contacts): added and changed by parents or staff,
// a contact deleted by staff or through a parent's request, a child shared with a second household
// (alternating custody), and the child's page.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today, TIME_ZONE } from '../platform/clock.js';
import { withTransaction, type Queryable } from '../platform/db.js';
import { createRequestsService, OPEN_STATUSES } from '../requests/service.js';
import { type RequestRow } from '../requests/repository.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import * as repo from './repository.js';
import { childDocuments, childEnrolments, nextReservations } from './repository-child-page.js';
import { normaliseFamilyNumber, type MemberInput } from './schemas.js';
import { householdAudit } from './service-shared.js';

export function createMembersService(deps: AppDeps) {
  const requests = createRequestsService(deps);
  const audit = householdAudit(deps);

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

  return {
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
        childDocuments(deps.db, householdId, childId),
        childEnrolments(deps.db, householdId, childId),
        nextReservations(deps.db, householdId, day, 10, childId),
        repo.guardianLinks(deps.db, householdId),
      ]);
      const members = await repo.listMembers(deps.db, householdId);
      const guardianIds = new Set(links.filter((l) => l.child_id === childId).map((l) => l.guardian_id));
      const guardians = members.filter((m) => m.kind === 'guardian' && guardianIds.has(m.id));
      return { child, documents, enrolments, reservations, guardians };
    },
  };
}
