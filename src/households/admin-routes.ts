// Staff routes for households: search, creation at the desk with the activation letter, and every
// parent action done on the family's behalf. The family page itself is src/admin/family-page.ts.
import { Router, type Request } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import {
  adminNewHouseholdSchema,
  custodySchema,
  householdSchema,
  memberSchema,
  MEMBER_KINDS,
  searchSchema,
  type MemberKind,
} from './schemas.js';
import { createHouseholdsService } from './service.js';
import {
  householdValues,
  memberValues,
  postedValues,
  renderHouseholdForm,
  renderMemberForm,
  saveMember,
  serviceErrors,
  type MemberFormPage,
} from './routes-shared.js';

declare module '../web/types.js' {
  interface SessionData {
    /** The plain activation code just issued, kept for the agent's session only (it is stored hashed). */
    activationLetter: { householdId: number; code: string };
  }
}

const PAGE_SIZE = 25;

export function householdsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const households = createHouseholdsService(deps);
  router.use('/households', requireAgent);

  router.get('/households', async (req, res) => {
    const f = searchSchema.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const { q, page } = f.data;
    const { rows, count } = await households.search(q, page, PAGE_SIZE);
    res.render('admin/households/index', {
      rows,
      q,
      count,
      page,
      pages: Math.max(1, Math.ceil(count / PAGE_SIZE)),
    });
  });

  router.get('/households/new', async (_req, res) => {
    await renderHouseholdForm(res, households, {
      values: householdValues(undefined),
      action: '/admin/households/new',
      mode: 'desk',
      back: '/admin/households',
    });
  });

  router.post('/households/new', async (req, res) => {
    const t = getT();
    const form = householdSchema.safeParse(req.body);
    const guardian = adminNewHouseholdSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderHouseholdForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: '/admin/households/new',
        mode: 'desk',
        back: '/admin/households',
      });
    if (!form.success || !guardian.success) {
      const errors = guardian.success ? noErrors() : formErrors(guardian.error, t);
      if (!form.success)
        for (const s of formErrors(form.error, t).summary) addError(errors, s.href.slice(1), s.text);
      return rerender(errors);
    }
    const guardianName = {
      first_name: guardian.data.guardian_first_name,
      last_name: guardian.data.guardian_last_name,
    };
    // Look-alike households first; the agent may open them, or create anyway.
    const duplicates =
      req.body?.create_anyway === '1' ? [] : await households.deskDuplicates(form.data, guardianName);
    if (duplicates.length)
      return renderHouseholdForm(res, households, {
        status: 409,
        values: postedValues(req.body),
        action: '/admin/households/new',
        mode: 'desk',
        back: '/admin/households',
        duplicates,
      });
    let created;
    try {
      created = await households.createAtDesk(form.data, guardianName, actorOf(req));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    req.session.activationLetter = { householdId: created.id, code: created.code };
    flash(req, t('households.flash.createdAtDesk', { number: created.familyNumber }));
    res.redirect(303, `/admin/households/${created.id}/letter`);
  });

  async function householdOr404(req: Request) {
    const id = idParam(req.params.id);
    const overview = await households.overview(id);
    if (!overview) throw new HttpError(404);
    return overview;
  }

  // GET /households/:id, the family page, is the desk's hub: src/admin/family-page.ts.

  router.get('/households/:id/edit', async (req, res) => {
    const overview = await householdOr404(req);
    const base = `/admin/households/${overview.household.id}`;
    await renderHouseholdForm(res, households, {
      values: householdValues(overview.household),
      action: `${base}/edit`,
      mode: 'edit',
      back: base,
      familyNumber: overview.household.family_number,
    });
  });

  router.post('/households/:id/edit', async (req, res) => {
    const t = getT();
    const overview = await householdOr404(req);
    const base = `/admin/households/${overview.household.id}`;
    const form = householdSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderHouseholdForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: `${base}/edit`,
        mode: 'edit',
        back: base,
        familyNumber: overview.household.family_number,
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    try {
      await households.update(overview.household.id, form.data, actorOf(req));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    flash(req, t('households.flash.saved'));
    res.redirect(303, base);
  });

  router.get('/households/:id/members/new', async (req, res) => {
    const overview = await householdOr404(req);
    const base = `/admin/households/${overview.household.id}`;
    const kind = MEMBER_KINDS.includes(req.query.kind as MemberKind) ? (req.query.kind as MemberKind) : null;
    await renderMemberForm(res, households, {
      values: { kind, diet: 'none' },
      action: `${base}/members`,
      kind,
      householdId: overview.household.id,
      back: base,
    });
  });

  router.post('/households/:id/members', async (req, res) => {
    const t = getT();
    const overview = await householdOr404(req);
    const base = `/admin/households/${overview.household.id}`;
    const kind = MEMBER_KINDS.includes(req.body.kind as MemberKind) ? (req.body.kind as MemberKind) : null;
    const form = memberSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderMemberForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: `${base}/members`,
        kind,
        householdId: overview.household.id,
        back: base,
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    // The same child (name and birth date) in another household: shown first, added if confirmed.
    const duplicates =
      form.data.kind === 'child' && req.body?.create_anyway !== '1'
        ? await households.childDuplicates(overview.household.id, form.data)
        : [];
    if (duplicates.length)
      return renderMemberForm(res, households, {
        status: 409,
        values: postedValues(req.body),
        action: `${base}/members`,
        kind,
        householdId: overview.household.id,
        back: base,
        duplicates,
      });
    try {
      await households.addMember(overview.household.id, form.data, actorOf(req));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    flash(req, t(`households.flash.memberAdded.${form.data.kind}`, { name: form.data.first_name }));
    res.redirect(303, base);
  });

  async function memberOr404(req: Request) {
    const overview = await householdOr404(req);
    const member = overview.members.find((m) => m.id === idParam(req.params.memberId));
    if (!member) throw new HttpError(404);
    return { overview, member, base: `/admin/households/${overview.household.id}` };
  }

  /** The staff's page of a member's form (shown again with its errors). */
  const memberPage = ({
    overview,
    member,
    base,
  }: Awaited<ReturnType<typeof memberOr404>>): MemberFormPage => ({
    action: `${base}/members/${member.id}/edit`,
    kind: member.kind,
    householdId: overview.household.id,
    memberId: member.id,
    back: base,
    staffDelete: member.kind === 'contact' ? `${base}/members/${member.id}/delete` : undefined,
  });

  router.get('/households/:id/members/:memberId/edit', async (req, res) => {
    const found = await memberOr404(req);
    const childIds = found.overview.links
      .filter((l) => l.guardian_id === found.member.id)
      .map((l) => l.child_id);
    await renderMemberForm(res, households, {
      ...memberPage(found),
      values: memberValues(found.member, childIds),
    });
  });

  router.post('/households/:id/members/:memberId/edit', async (req, res) => {
    const found = await memberOr404(req);
    await saveMember(req, res, households, { member: found.member, page: memberPage(found) });
  });

  router.post('/households/:id/members/:memberId/delete', async (req, res) => {
    const t = getT();
    const { overview, member, base } = await memberOr404(req);
    if (member.kind !== 'contact') throw new HttpError(404);
    await households.deleteContact(overview.household.id, member.id, actorOf(req));
    flash(req, t('households.flash.contactDeleted', { name: `${member.first_name} ${member.last_name}` }));
    res.redirect(303, base);
  });

  router.post('/households/:id/activation-code', async (req, res) => {
    const t = getT();
    const overview = await householdOr404(req);
    const code = await households.issueActivationCode(overview.household.id, actorOf(req));
    req.session.activationLetter = { householdId: overview.household.id, code };
    flash(req, t('households.flash.codeIssued'));
    res.redirect(303, `/admin/households/${overview.household.id}/letter`);
  });

  router.get('/households/:id/letter', async (req, res) => {
    const overview = await householdOr404(req);
    const letter = req.session.activationLetter;
    const code = letter && letter.householdId === overview.household.id ? letter.code : null;
    const guardian = overview.members.find((m) => m.kind === 'guardian');
    res.render('admin/households/letter', {
      ...overview,
      code,
      guardian,
      expiresAt: overview.activationCode?.expires_at ?? null,
    });
  });

  router.get('/households/:id/children/:memberId/custody', async (req, res) => {
    const { overview, member, base } = await memberOr404(req);
    if (member.kind !== 'child') throw new HttpError(404);
    res.render('admin/households/custody', {
      household: overview.household,
      child: member,
      base,
      values: { weeks: member.custody_weeks ?? '' },
      errors: noErrors(),
    });
  });

  router.post('/households/:id/children/:memberId/custody', async (req, res) => {
    const t = getT();
    const { overview, member, base } = await memberOr404(req);
    if (member.kind !== 'child') throw new HttpError(404);
    const form = custodySchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      res.status(422).render('admin/households/custody', {
        household: overview.household,
        child: member,
        base,
        values: postedValues(req.body),
        errors,
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    try {
      await households.linkCustody(
        overview.household.id,
        member.id,
        form.data.family_number,
        form.data.weeks,
        actorOf(req),
      );
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    flash(req, t('households.flash.custodyLinked', { name: member.first_name }));
    res.redirect(303, base);
  });

  return router;
}
