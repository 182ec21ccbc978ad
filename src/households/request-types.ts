// The households feature's request types (declared in its index.ts): contact deletion, which
// staff accept to delete the contact, and a lost activation code, decided by hand.
import type { RequestTypeHooks } from '../requests/service.js';
import { tFr } from '../web/i18n.js';
import * as repo from './repository.js';

const householdSubject = (id: number) => ({ type: 'household', id });

/** The households feature's request types (declared in its index.ts). */
export const householdRequestTypes: Record<string, RequestTypeHooks> = {
  /** Accepting a contact-deletion request deletes the contact (soft delete), with its audit event. */
  contact_deletion: {
    async onStatus(tx, request, status, actor, deps) {
      if (status !== 'accepted' || !request.household_id) return;
      const memberId = Number(request.data.member_id);
      const contact = await repo.findMemberOfHousehold(tx, request.household_id, memberId);
      if (!contact || contact.kind !== 'contact') return;
      await repo.updateMember(tx, memberId, { deleted_at: deps.clock.now() });
      await deps.audit.record(
        tx,
        actor,
        'households.contact_deleted',
        householdSubject(request.household_id),
        { memberId, requestId: request.id },
      );
    },
    async staffDetails(deps, request) {
      if (!request.household_id) return [];
      const contact = await repo.findMemberOfHousehold(
        deps.db,
        request.household_id,
        Number(request.data.member_id),
      );
      if (!contact) return [];
      return [
        {
          title: tFr('households.requests.contactTitle'),
          rows: [
            { label: tFr('households.fields.name'), value: `${contact.first_name} ${contact.last_name}` },
            { label: tFr('households.fields.relationship'), value: contact.relationship ?? '' },
            { label: tFr('households.fields.phone'), value: contact.phone ?? '' },
          ],
        },
      ];
    },
  },
  lost_activation_code: {
    async staffDetails(_deps, request) {
      const d = request.data;
      return [
        {
          title: tFr('households.requests.lostCodeTitle'),
          rows: [
            { label: tFr('households.fields.familyNumber'), value: String(d.family_number ?? '') },
            {
              label: tFr('households.requests.proof'),
              value:
                d.proof === 'postcode'
                  ? tFr('households.lostCode.proofPostcode') + ' : ' + String(d.postcode ?? '')
                  : tFr('households.lostCode.proofBirthDate') + ' : ' + String(d.child_birth_date ?? ''),
            },
            { label: tFr('households.fields.email'), value: String(d.contact_email ?? '') },
            {
              label: tFr('households.requests.match'),
              value: tFr(d.matched ? 'households.requests.matched' : 'households.requests.notMatched'),
            },
          ],
        },
      ];
    },
  },
};
