// Parent-facing routes: the family card and its members, the guardian invitation, the family-card
// activation and the child page.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, currentAccount, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import type { HouseholdView, MemberRow } from './repository.js';
import {
  activateSchema,
  householdSchema,
  inviteSchema,
  lostCodeSchema,
  memberSchema,
  MEMBER_KINDS,
  type MemberKind,
} from './schemas.js';
import { createHouseholdsService, type HouseholdsService } from './service.js';
import { createLimiter, ipKey } from '../web/rate-limit.js';

declare module '../web/types.js' {
  interface SessionData {
    /** The tracking code of the lost-code request just filed, shown once on the confirmation page. */
    lostCodeTracking: string;
  }
}

/** A rule broken in the service, as form errors; anything else goes on to the error handler. */
export function serviceErrors(
  err: unknown,
  t: ReturnType<typeof getT>,
  errors: FormErrors = noErrors(),
): FormErrors {
  if (!(err instanceof FormError)) throw err;
  return addError(errors, err.field, t(err.key, err.params));
}

/** Form values of an existing household (strings, as the form posts them). */
export function householdValues(h: HouseholdView | undefined): Record<string, unknown> {
  if (!h) return { address_kind: 'town', paperless: true, allocataire_kind: '' };
  return {
    address_kind: h.out_of_town ? 'out_of_town' : 'town',
    street_id: h.street_id ?? '',
    house_number: h.house_number ?? '',
    address_line: h.address_line ?? '',
    address_complement: h.address_complement ?? '',
    postcode: h.out_of_town ? (h.postcode ?? '') : '',
    city: h.out_of_town ? (h.city ?? '') : '',
    phone_mobile: h.phone_mobile ?? '',
    phone_home: h.phone_home ?? '',
    phone_work: h.phone_work ?? '',
    email: h.email ?? '',
    allocataire_kind: h.allocataire_kind ?? '',
    allocataire_number: h.allocataire_number ?? '',
    paperless: h.paperless,
  };
}

export function memberValues(m: MemberRow, childIds: number[]): Record<string, unknown> {
  return {
    kind: m.kind,
    first_name: m.first_name,
    last_name: m.last_name,
    birth_date: m.birth_date ?? '',
    sex: m.sex ?? '',
    school_id: m.school_id ?? '',
    class_level: m.class_level ?? '',
    diet: m.diet ?? 'none',
    allergies: m.allergies ?? '',
    has_pai: m.has_pai,
    doctor_name: m.doctor_name ?? '',
    doctor_phone: m.doctor_phone ?? '',
    image_rights: m.image_rights,
    phone: m.phone ?? '',
    phone2: m.phone2 ?? '',
    email: m.email ?? '',
    relationship: m.relationship ?? '',
    can_pick_up: m.can_pick_up,
    emergency_contact: m.emergency_contact,
    children: childIds.map(String),
  };
}

/** Posted checkboxes come as 'on' (or absent); the form shows them checked again. */
export function postedValues(body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...body };
  delete values._csrf;
  for (const k of ['paperless', 'has_pai', 'image_rights', 'can_pick_up', 'emergency_contact'])
    values[k] = Boolean(body[k]);
  if (values.children !== undefined)
    values.children = Array.isArray(values.children) ? values.children : [values.children];
  return values;
}

/** Renders the household form (parents and staff share it). */
export async function renderHouseholdForm(
  res: Response,
  households: HouseholdsService,
  opts: {
    status?: number;
    values: Record<string, unknown>;
    errors?: FormErrors;
    action: string;
    mode: 'new' | 'edit' | 'desk';
    back: string;
    familyNumber?: string;
  },
) {
  const options = await households.formOptions();
  res.status(opts.status ?? 200).render('households/edit', {
    ...options,
    values: opts.values,
    errors: opts.errors ?? noErrors(),
    action: opts.action,
    mode: opts.mode,
    back: opts.back,
    familyNumber: opts.familyNumber ?? '',
  });
}

/** What the member form's page shows besides its values and errors: where it posts and leads back to. */
export interface MemberFormPage {
  action: string;
  kind: MemberKind | null;
  householdId: number;
  memberId?: number;
  back: string;
  canRequestDeletion?: boolean;
  deletionAsked?: boolean;
  staffDelete?: string;
}

/** Renders the member form (parents and staff share it). */
export async function renderMemberForm(
  res: Response,
  households: HouseholdsService,
  opts: MemberFormPage & { status?: number; values: Record<string, unknown>; errors?: FormErrors },
) {
  const options = await households.formOptions();
  const overview = await households.overview(opts.householdId);
  const children = (overview?.members ?? []).filter((m) => m.kind === 'child');
  res
    .status(opts.status ?? 200)
    .render('households/member-form', { ...options, ...opts, errors: opts.errors ?? noErrors(), children });
}

/**
 * The POST of an existing member's form, the parent's or the staff's: saved, then back where the
 * page leads (`page.back`); or the same page again with its errors (422) and nothing saved.
 */
export async function saveMember(
  req: Request,
  res: Response,
  households: HouseholdsService,
  opts: { member: { id: number; kind: MemberKind }; page: MemberFormPage },
) {
  const t = getT();
  const { member, page } = opts;
  const form = memberSchema.safeParse({ ...req.body, kind: member.kind });
  const rerender = (errors: FormErrors) =>
    renderMemberForm(res, households, {
      ...page,
      status: 422,
      values: { ...postedValues(req.body), kind: member.kind },
      errors,
    });
  if (!form.success) return rerender(formErrors(form.error, t));
  try {
    await households.updateMember(page.householdId, member.id, form.data, actorOf(req));
  } catch (err) {
    return rerender(serviceErrors(err, t));
  }
  flash(req, t('households.flash.memberSaved', { name: form.data.first_name }));
  res.redirect(303, page.back);
}

export function householdsRoutes(deps: AppDeps): Router {
  const router = Router();
  const households = createHouseholdsService(deps);
  const inHousehold = [requireParent, withHousehold()];

  // ---------- No household yet: create one or link a family card ----------
  router.get('/household/start', requireParent, async (req, res) => {
    if (currentAccount(req).householdId) return res.redirect(303, '/household');
    res.render('households/start');
  });

  router.get('/household/new', requireParent, async (req, res) => {
    if (currentAccount(req).householdId) return res.redirect(303, '/household');
    const values = { ...householdValues(undefined), email: currentAccount(req).email };
    await renderHouseholdForm(res, households, {
      values,
      action: '/household/new',
      mode: 'new',
      back: '/household/start',
    });
  });

  router.post('/household/new', requireParent, async (req, res) => {
    const t = getT();
    const account = currentAccount(req);
    const form = householdSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderHouseholdForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: '/household/new',
        mode: 'new',
        back: '/household/start',
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    try {
      const { familyNumber } = await households.createForParent(account, form.data);
      flash(req, t('households.flash.created', { number: familyNumber }));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    res.redirect(303, '/household');
  });

  // ---------- Family card activation ----------
  router.get('/activate', requireParent, async (req, res) => {
    if (currentAccount(req).householdId) return res.redirect(303, '/household');
    res.render('households/activate', { values: {}, errors: noErrors() });
  });

  // Per-IP limits on the family-card forms: the card's code also locks after five wrong tries,
  // and lost-code requests must not be usable to flood the staff queue.
  const activationIp = createLimiter(deps, {
    name: 'activate-ip',
    limit: deps.config.RATE_LIMIT_LOGIN_PER_IP,
    windowMinutes: deps.config.RATE_LIMIT_WINDOW_MINUTES,
    key: ipKey,
  });
  const lostCodeIp = createLimiter(deps, {
    name: 'lost-code-ip',
    limit: deps.config.RATE_LIMIT_LOGIN_PER_ACCOUNT,
    windowMinutes: deps.config.RATE_LIMIT_WINDOW_MINUTES,
    key: ipKey,
  });

  router.post('/activate', requireParent, activationIp.middleware, async (req, res) => {
    const t = getT();
    const account = currentAccount(req);
    const form = activateSchema.safeParse(req.body);
    const values = {
      family_number: typeof req.body.family_number === 'string' ? req.body.family_number : '',
    };
    if (!form.success)
      return res.status(422).render('households/activate', { values, errors: formErrors(form.error, t) });
    try {
      await households.activate(account, form.data.family_number, form.data.activation_code);
    } catch (err) {
      return res.status(422).render('households/activate', { values, errors: serviceErrors(err, t) });
    }
    flash(req, t('households.flash.activated'));
    res.redirect(303, '/household');
  });

  router.get('/activate/lost-code', (_req, res) =>
    res.render('households/lost-code', { values: { proof: 'birth_date' }, errors: noErrors() }),
  );

  router.post('/activate/lost-code', lostCodeIp.middleware, async (req, res) => {
    const t = getT();
    const form = lostCodeSchema.safeParse(req.body);
    if (!form.success)
      return res.status(422).render('households/lost-code', {
        values: postedValues(req.body),
        errors: formErrors(form.error, t),
      });
    const request = await households.lostCode(
      form.data,
      req.account ? { id: req.account.id, role: req.account.role } : null,
    );
    req.session.lostCodeTracking = request.tracking_code;
    res.redirect(303, '/activate/lost-code/sent');
  });

  router.get('/activate/lost-code/sent', (req, res) => {
    const code = req.session.lostCodeTracking;
    if (!code) return res.redirect(303, '/activate/lost-code');
    res.render('households/lost-code-sent', { code });
  });

  // ---------- Invitation of a second guardian (the invitee has no household yet) ----------
  router.get('/household/invitations/:token', requireParent, async (req, res) => {
    const found = await households.invitation(String(req.params.token));
    if (!found) throw new HttpError(404);
    const linked = currentAccount(req).householdId;
    res.render('households/invitation', {
      state: found.state,
      familyNumber: found.familyNumber,
      token: req.params.token,
      linked: Boolean(linked),
      errors: noErrors(),
    });
  });

  router.post('/household/invitations/:token', requireParent, async (req, res) => {
    const t = getT();
    const found = await households.invitation(String(req.params.token));
    if (!found) throw new HttpError(404);
    try {
      await households.acceptInvitation(String(req.params.token), currentAccount(req));
    } catch (err) {
      const errors = serviceErrors(err, t);
      const linked = currentAccount(req).householdId;
      return res.status(422).render('households/invitation', {
        state: found.state,
        familyNumber: found.familyNumber,
        token: req.params.token,
        linked: Boolean(linked),
        errors,
      });
    }
    flash(req, t('households.flash.invitationAccepted'));
    res.redirect(303, '/household');
  });

  // ---------- The household's pages ----------
  router.get('/household', ...inHousehold, async (req, res) => {
    const overview = await households.overview(currentHouseholdId(req));
    if (!overview) throw new HttpError(404);
    res.render('households/show', overview);
  });

  router.get('/household/edit', ...inHousehold, async (req, res) => {
    const overview = await households.overview(currentHouseholdId(req));
    await renderHouseholdForm(res, households, {
      values: householdValues(overview?.household),
      action: '/household/edit',
      mode: 'edit',
      back: '/household',
      familyNumber: overview?.household.family_number,
    });
  });

  router.post('/household/edit', ...inHousehold, async (req, res) => {
    const t = getT();
    const form = householdSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderHouseholdForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: '/household/edit',
        mode: 'edit',
        back: '/household',
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    try {
      await households.update(currentHouseholdId(req), form.data, actorOf(req));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    flash(req, t('households.flash.saved'));
    res.redirect(303, '/household');
  });

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

  // ---------- Inviting a second guardian ----------
  router.get('/household/invite', ...inHousehold, (_req, res) =>
    res.render('households/invite', { values: {}, errors: noErrors() }),
  );

  router.post('/household/invite', ...inHousehold, async (req, res) => {
    const t = getT();
    const form = inviteSchema.safeParse(req.body);
    const values = { email: typeof req.body.email === 'string' ? req.body.email : '' };
    if (!form.success)
      return res.status(422).render('households/invite', { values, errors: formErrors(form.error, t) });
    try {
      await households.invite(currentHouseholdId(req), form.data.email!, actorOf(req));
    } catch (err) {
      return res.status(422).render('households/invite', { values, errors: serviceErrors(err, t) });
    }
    flash(req, t('households.flash.invited', { email: form.data.email }));
    res.redirect(303, '/household');
  });

  router.post('/household/invitations/:id/revoke', ...inHousehold, async (req, res) => {
    const t = getT();
    const done = await households.revokeInvitation(
      currentHouseholdId(req),
      idParam(req.params.id),
      actorOf(req),
    );
    if (!done) throw new HttpError(404);
    flash(req, t('households.flash.invitationRevoked'));
    res.redirect(303, '/household');
  });

  // ---------- The child page ----------
  router.get('/children/:id', ...inHousehold, async (req, res) => {
    const page = await households.childPage(currentHouseholdId(req), idParam(req.params.id));
    if (!page) throw new HttpError(404);
    res.render('children/show', page);
  });

  return router;
}
