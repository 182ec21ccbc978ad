// What the household pages of parents (routes-*.ts) and staff (admin-routes.ts) share: the
// household and member forms, their values, and a rule broken in the service shown on the form.
import type { Request, Response } from 'express';
import { actorOf } from '../web/auth.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import type { HouseholdView, MemberRow } from './repository.js';
import { memberSchema, type MemberKind } from './schemas.js';
import type { DuplicateCandidate } from './duplicates.js';
import type { HouseholdsService } from './service.js';

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
    /** Creation: look-alike households (staff), or a card holding the parent's own email (parent). */
    duplicates?: DuplicateCandidate[];
    ownEmailCard?: boolean;
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
    duplicates: opts.duplicates ?? [],
    ownEmailCard: opts.ownEmailCard ?? false,
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
  opts: MemberFormPage & {
    status?: number;
    values: Record<string, unknown>;
    errors?: FormErrors;
    /** Staff adding a child: households that already have a child of that name and birth date. */
    duplicates?: DuplicateCandidate[];
  },
) {
  const options = await households.formOptions();
  const overview = await households.overview(opts.householdId);
  const children = (overview?.members ?? []).filter((m) => m.kind === 'child');
  res.status(opts.status ?? 200).render('households/member-form', {
    ...options,
    ...opts,
    errors: opts.errors ?? noErrors(),
    children,
    duplicates: opts.duplicates ?? [],
  });
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
