// The parent's pages of the household's members: add, change, and ask staff to delete a contact.
import { Router, type Request } from 'express';
import { actorOf, currentAccount, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { formErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { memberSchema, MEMBER_KINDS, type MemberKind } from './schemas.js';
import type { HouseholdsService } from './service.js';
import {
  memberValues,
  postedValues,
  renderMemberForm,
  saveMember,
  serviceErrors,
  type MemberFormPage,
} from './routes-shared.js';

export function membersRoutes(households: HouseholdsService): Router {
  const router = Router();
  const inHousehold = [requireParent, withHousehold()];

  router.get('/household/members/new', ...inHousehold, async (req, res) => {
    const kind = MEMBER_KINDS.includes(req.query.kind as MemberKind) ? (req.query.kind as MemberKind) : null;
    await renderMemberForm(res, households, {
      values: { kind, diet: 'none' },
      action: '/household/members',
      kind,
      householdId: currentHouseholdId(req),
      back: '/household',
    });
  });

  router.post('/household/members', ...inHousehold, async (req, res) => {
    const t = getT();
    const householdId = currentHouseholdId(req);
    const kind = MEMBER_KINDS.includes(req.body.kind as MemberKind) ? (req.body.kind as MemberKind) : null;
    const form = memberSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderMemberForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: '/household/members',
        kind,
        householdId,
        back: '/household',
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    try {
      await households.addMember(householdId, form.data, actorOf(req));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    flash(req, t(`households.flash.memberAdded.${form.data.kind}`, { name: form.data.first_name }));
    res.redirect(303, form.data.kind === 'child' ? '/' : '/household');
  });

  async function memberOr404(req: Request) {
    const householdId = currentHouseholdId(req);
    const overview = await households.overview(householdId);
    const member = overview?.members.find((m) => m.id === idParam(req.params.id));
    if (!overview || !member) throw new HttpError(404);
    return { householdId, member, overview };
  }

  /** The parent's page of a member's form (shown again with its errors). */
  const memberPage = ({
    householdId,
    member,
    overview,
  }: Awaited<ReturnType<typeof memberOr404>>): MemberFormPage => ({
    action: `/household/members/${member.id}/edit`,
    kind: member.kind,
    householdId,
    memberId: member.id,
    back: member.kind === 'child' ? `/children/${member.id}` : '/household',
    canRequestDeletion: member.kind === 'contact',
    deletionAsked: overview.openDeletions.has(member.id),
  });

  router.get('/household/members/:id/edit', ...inHousehold, async (req, res) => {
    const found = await memberOr404(req);
    const childIds = found.overview.links
      .filter((l) => l.guardian_id === found.member.id)
      .map((l) => l.child_id);
    await renderMemberForm(res, households, {
      ...memberPage(found),
      values: memberValues(found.member, childIds),
    });
  });

  router.post('/household/members/:id/edit', ...inHousehold, async (req, res) => {
    const found = await memberOr404(req);
    await saveMember(req, res, households, { member: found.member, page: memberPage(found) });
  });

  router.post('/household/members/:id/request-deletion', ...inHousehold, async (req, res) => {
    const t = getT();
    const { householdId, member } = await memberOr404(req);
    if (member.kind !== 'contact') throw new HttpError(404);
    try {
      const request = await households.requestContactDeletion(householdId, member.id, {
        accountId: currentAccount(req).id,
        role: 'parent',
      });
      flash(req, t('households.flash.deletionRequested', { code: request.tracking_code }));
    } catch (err) {
      const errors = serviceErrors(err, t);
      flash(req, errors.summary[0]!.text, 'error');
    }
    res.redirect(303, '/household');
  });

  return router;
}
