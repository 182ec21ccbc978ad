// Enrolment of a child in a service: a draft saved at each step, the mandatory documents check,
// submission as a request (démarche) whose decision drives the enrolment, withdrawal, end of
// enrolment, school catchment and derogations, and the staff actions (decide, bulk, desk).
import type { AppDeps } from '../deps.js';
import { SYSTEM, type Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { isUniqueViolation, withTransaction, type Queryable, type Tx } from '../platform/db.js';
import { createRequestsService } from '../requests/service.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { findChildOfHousehold } from '../households/access.js';
import { findSchool, findSchoolYear, listSchools } from '../services/service.js';
import { type RequirementRow, type SchoolRow } from '../services/repository.js';
import { catchmentSchoolId, createServicesService, type ServiceDetails } from '../services/service.js';
import {
  countingDocuments,
  documentsByIds,
  findActive,
  findEnrolment,
  householdStreet,
  insertEnrolment,
  lockEnrolment,
  openEndRequest,
  updateEnrolment,
  type EnrolmentOptions,
  type EnrolmentRow,
  type VaultDocument,
} from './repository.js';

export type Step = 'child' | 'documents' | 'options' | 'school' | 'summary';
export const DEROGATION_REASONS = ['siblings', 'childminder', 'work', 'health', 'other'] as const;
export type DerogationReason = (typeof DEROGATION_REASONS)[number];

/** The wizard's steps for a service: school enrolment asks for the school, weekly services for the usual days. */
export function stepsFor(service: { kind: string; opening_days: string; weekdays: number[] }): Step[] {
  if (service.kind === 'school') return ['child', 'documents', 'school', 'summary'];
  if (service.opening_days === 'school_days' && service.weekdays.length > 1)
    return ['child', 'documents', 'options', 'summary'];
  return ['child', 'documents', 'summary'];
}

export interface RequirementState {
  requirement: RequirementRow;
  state: 'ok' | 'missing' | 'too_short';
  document: VaultDocument | null;
  /** The day the document must still be valid on. */
  neededOn: string;
  /** Where to provide it: the vault's upload page, coming back to the documents step. */
  uploadUrl: string;
}

export interface DocumentCheck {
  items: RequirementState[];
  complete: boolean;
}

const NOT_FOUND = 'enrolments.errors.notFound';
/** The key of the error a draft already submitted gives (a double click's second request). */
export const ALREADY_SUBMITTED = 'enrolments.errors.alreadySubmitted';

export function createEnrolmentsService(deps: AppDeps) {
  const { db } = deps;
  const services = createServicesService(deps);
  const requests = createRequestsService(deps);

  /** The service period an enrolment covers: from the year's start (or today, mid-year) to its end. */
  async function periodOf(q: Queryable, schoolYearId: string) {
    const year = await findSchoolYear(q, schoolYearId);
    if (!year) throw new FormError('form', NOT_FOUND);
    const d = today(deps.clock);
    return { start: year.starts_on > d ? year.starts_on : d, end: year.ends_on };
  }

  /**
   * The mandatory documents rule: each required type needs a document in the vault (pending
   * counts) valid on the period's first day (valid_at_start) or until its last day (valid_whole_period).
   */
  async function checkDocuments(
    q: Queryable,
    input: { householdId: number; childId: number; service: ServiceDetails; returnTo: string },
  ): Promise<DocumentCheck> {
    const reqs = input.service.requirements;
    if (!reqs.length) return { items: [], complete: true };
    const period = await periodOf(q, input.service.school_year_id);
    const docs = await countingDocuments(
      q,
      input.householdId,
      input.childId,
      reqs.map((r) => r.document_type_id),
    );
    const items = reqs.map((r): RequirementState => {
      const neededOn = r.rule === 'valid_whole_period' ? period.end : period.start;
      const candidates = docs.filter(
        (d) =>
          d.type_id === r.document_type_id &&
          (r.scope === 'child' ? d.member_id === input.childId : d.member_id === null),
      );
      // The best one: valid the longest (no end date first), accepted before pending.
      candidates.sort(
        (a, b) =>
          (b.valid_until ?? '9999-12-31').localeCompare(a.valid_until ?? '9999-12-31') ||
          (a.status === 'accepted' ? -1 : 1) - (b.status === 'accepted' ? -1 : 1),
      );
      const best = candidates[0] ?? null;
      const state = !best
        ? 'missing'
        : best.valid_until === null || best.valid_until >= neededOn
          ? 'ok'
          : 'too_short';
      const params = new URLSearchParams({
        type: r.code,
        member: r.scope === 'child' ? String(input.childId) : '',
        return_to: input.returnTo,
      });
      return {
        requirement: r,
        state,
        document: best,
        neededOn,
        uploadUrl: `/documents?${params.toString()}`,
      };
    });
    return { items, complete: items.every((i) => i.state === 'ok') };
  }

  async function serviceOf(q: Queryable, id: number): Promise<ServiceDetails> {
    const s = await services.get(id, q);
    if (!s || !s.active) throw new FormError('form', NOT_FOUND);
    return s;
  }

  /** The school a school enrolment targets without derogation: the household street's catchment school. */
  async function catchmentOf(
    q: Queryable,
    householdId: number,
    classLevel: string | null,
  ): Promise<SchoolRow | null> {
    const street = await householdStreet(q, householdId);
    const id = street && !street.out_of_town ? catchmentSchoolId(street, classLevel) : null;
    return id ? ((await findSchool(q, id)) ?? null) : null;
  }

  async function fileRequest(
    tx: Tx,
    e: EnrolmentRow,
    service: ServiceDetails,
    actor: Actor,
    side: 'parent' | 'staff',
    ownerAccountId: number | null,
  ) {
    const child = await tx('members').where({ id: e.child_id }).first('first_name', 'last_name');
    const name = `${child.first_name} ${child.last_name}`;
    const type = e.derogation ? 'derogation' : 'enrolment';
    const school = e.school_id ? await findSchool(tx, e.school_id) : undefined;
    const summary = e.derogation
      ? tFr('enrolments.requestSummary.derogation', { child: name, school: school?.name ?? '' })
      : tFr('enrolments.requestSummary.enrolment', { child: name, service: service.name });
    const message =
      e.derogation && e.options.derogation
        ? `${tFr(`enrolments.derogation.reasons.${e.options.derogation.reason}`)}${e.options.derogation.text ? ` : ${e.options.derogation.text}` : ''}`
        : null;
    return requests.create(tx, {
      type,
      accountId: ownerAccountId,
      householdId: e.household_id,
      childId: e.child_id,
      summary,
      data: {
        enrolmentId: e.id,
        serviceId: service.id,
        ...(e.derogation
          ? {
              schoolId: e.school_id,
              reason: e.options.derogation?.reason,
              documentIds: e.options.derogation?.documentIds ?? [],
            }
          : {}),
      },
      actor,
      side,
      message,
    });
  }

  /** Submits a draft in the caller's transaction: documents check, request, instant acceptance when no validation is needed. */
  async function submitIn(
    tx: Tx,
    enrolmentId: number,
    actor: Actor,
    side: 'parent' | 'staff',
    ownerAccountId: number | null,
    returnTo: string,
  ) {
    const e = await lockEnrolment(tx, enrolmentId);
    if (!e) throw new FormError('form', NOT_FOUND);
    if (e.status !== 'draft') throw new FormError('form', ALREADY_SUBMITTED);
    const service = await serviceOf(tx, e.service_id);
    const check = await checkDocuments(tx, {
      householdId: e.household_id,
      childId: e.child_id,
      service,
      returnTo,
    });
    if (!check.complete) throw new FormError('documents', 'enrolments.errors.documentsMissing', { check });
    if (service.kind === 'school' && !e.school_id)
      throw new FormError('school', 'enrolments.errors.schoolRequired');
    const request = await fileRequest(tx, e, service, actor, side, ownerAccountId);
    const now = deps.clock.now();
    await updateEnrolment(tx, e.id, {
      status: 'submitted',
      step: 'done',
      request_id: request.id,
      submitted_at: now,
    });
    if (!service.needs_validation && !e.derogation) {
      await requests.decide(request.id, 'accepted', SYSTEM, tFr('enrolments.autoAccepted'), tx);
    }
    return request;
  }

  return {
    checkDocuments: (input: {
      householdId: number;
      childId: number;
      service: ServiceDetails;
      returnTo: string;
    }) => checkDocuments(db, input),
    service: (id: number) => services.get(id),
    catchment: (householdId: number, classLevel: string | null) => catchmentOf(db, householdId, classLevel),
    schools: () => listSchools(db),
    find: (id: number) => findEnrolment(db, id),

    /**
     * Whether the child can start an enrolment in the service: eligibility, enrolment period
     * (staff at the desk are not bound by it), no active enrolment already.
     */
    async blocker(
      householdId: number,
      childId: number,
      service: ServiceDetails,
      opts: { desk?: boolean } = {},
    ) {
      const child = await findChildOfHousehold(db, householdId, childId);
      if (!child) throw new FormError('form', NOT_FOUND);
      const inel = await services.ineligibility(service, child);
      if (inel) return inel;
      if (!opts.desk && !services.enrolmentOpen(service))
        return { key: 'enrolments.ineligible.closed', params: {} };
      return null;
    },

    /** Starts a draft (POST of the first step), or resumes the existing one. */
    async start(
      householdId: number,
      childId: number,
      serviceId: number,
      actor: Actor,
    ): Promise<EnrolmentRow> {
      const service = await serviceOf(db, serviceId);
      const child = await findChildOfHousehold(db, householdId, childId);
      if (!child) throw new FormError('form', NOT_FOUND);
      const inel = await services.ineligibility(service, child);
      if (inel) throw new FormError('form', inel.key, inel.params);
      if (!services.enrolmentOpen(service)) throw new FormError('form', 'enrolments.ineligible.closed');
      const existing = await findActive(db, childId, serviceId);
      if (existing?.status === 'draft' && existing.household_id === householdId) return existing;
      if (existing)
        throw new FormError('form', 'enrolments.errors.duplicate', {
          child: child.first_name,
          service: service.name,
        });
      const steps = stepsFor(service);
      try {
        return await withTransaction(db, async (tx) => {
          const id = await insertEnrolment(tx, {
            child_id: childId,
            service_id: serviceId,
            household_id: householdId,
            school_year_id: service.school_year_id,
            status: 'draft',
            step: steps[1]!,
            options:
              service.kind === 'school'
                ? {}
                : {
                    weekdays:
                      service.weekdays.length > 1 && service.opening_days === 'school_days'
                        ? [...service.weekdays]
                        : [],
                  },
            school_id: null,
            derogation: false,
            created_by: actor.accountId,
            created_at: deps.clock.now(),
          });
          return (await findEnrolment(tx, id))!;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'enrolments_one_active'))
          throw new FormError('form', 'enrolments.errors.duplicate', {
            child: child.first_name,
            service: service.name,
          });
        throw err;
      }
    },

    /** Moves a draft to a step (the step the parent will resume at). */
    async advance(
      e: EnrolmentRow,
      step: Step,
      patch: { options?: EnrolmentOptions; school_id?: number | null; derogation?: boolean } = {},
    ) {
      if (e.status !== 'draft') throw new FormError('form', ALREADY_SUBMITTED);
      await updateEnrolment(db, e.id, { step, ...patch });
    },

    /** The usual weekdays: a subset of the service's days. */
    async saveOptions(e: EnrolmentRow, service: ServiceDetails, weekdays: number[], next: Step) {
      if (weekdays.some((d) => !service.weekdays.includes(d)))
        throw new FormError('weekdays', 'enrolments.errors.weekdays');
      await this.advance(e, next, { options: { ...e.options, weekdays: [...new Set(weekdays)].sort() } });
    },

    /** School enrolment: the catchment school, or another school with a derogation (reason, text, documents). */
    async saveSchool(
      e: EnrolmentRow,
      input: {
        choice: 'catchment' | 'other';
        schoolId: number | null;
        reason: DerogationReason | null;
        text: string;
        documentIds: number[];
      },
      next: Step,
    ) {
      const child = await findChildOfHousehold(db, e.household_id, e.child_id);
      if (!child) throw new FormError('form', NOT_FOUND);
      const catchment = await catchmentOf(db, e.household_id, child.class_level);
      if (input.choice === 'catchment') {
        if (!catchment) throw new FormError('choice', 'enrolments.errors.noCatchment');
        return this.advance(e, next, {
          school_id: catchment.id,
          derogation: false,
          options: { ...e.options, derogation: undefined },
        });
      }
      const school = input.schoolId ? await findSchool(db, input.schoolId) : undefined;
      if (!school) throw new FormError('school_id', 'enrolments.errors.schoolRequired');
      if (catchment && school.id === catchment.id)
        throw new FormError('school_id', 'enrolments.errors.sameAsCatchment');
      if (child.class_level && !school.class_levels.includes(child.class_level))
        throw new FormError('school_id', 'enrolments.errors.levelNotTaught', { level: child.class_level });
      if (!input.reason) throw new FormError('reason', 'enrolments.errors.reasonRequired');
      if (input.reason === 'other' && !input.text.trim())
        throw new FormError('text', 'enrolments.errors.textRequired');
      const docs = input.documentIds.length ? await documentsByIds(db, input.documentIds) : [];
      if (
        docs.length !== new Set(input.documentIds).size ||
        docs.some((d) => d.household_id !== e.household_id)
      )
        throw new FormError('documents', 'enrolments.errors.documentInvalid');
      await this.advance(e, next, {
        school_id: school.id,
        derogation: true,
        options: {
          ...e.options,
          derogation: {
            reason: input.reason,
            text: input.text.trim(),
            documentIds: [...new Set(input.documentIds)],
          },
        },
      });
    },

    /** Submits a draft: refused with the list of what is missing while a document is missing or too short. */
    async submit(e: EnrolmentRow, actor: Actor, returnTo: string) {
      return withTransaction(db, (tx) => submitIn(tx, e.id, actor, 'parent', actor.accountId, returnTo));
    },

    /** Abandons a draft, or withdraws a submitted enrolment before the decision (cancels its request). */
    async withdraw(e: EnrolmentRow, actor: Actor) {
      if (e.status === 'draft') {
        await withTransaction(db, async (tx) => {
          await updateEnrolment(tx, e.id, { status: 'withdrawn' });
          await deps.audit.record(tx, actor, 'enrolments.draft_abandoned', { type: 'enrolment', id: e.id });
        });
        return;
      }
      if (e.status !== 'submitted' || !e.request_id)
        throw new FormError('form', 'enrolments.errors.cannotWithdraw');
      await requests.cancel(e.request_id, actor);
    },

    /** Ending an accepted enrolment is a new request ("fin d'inscription"), effective once staff accept it. */
    async requestEnd(e: EnrolmentRow, endsOn: string, actor: Actor) {
      if (e.status !== 'accepted') throw new FormError('form', 'enrolments.errors.cannotEnd');
      const year = await findSchoolYear(db, e.school_year_id);
      if (endsOn < today(deps.clock)) throw new FormError('ends_on', 'enrolments.errors.endInPast');
      if (year && endsOn > year.ends_on)
        throw new FormError('ends_on', 'enrolments.errors.endAfterYear', { date: year.ends_on });
      return withTransaction(db, async (tx) => {
        const locked = await lockEnrolment(tx, e.id);
        if (!locked || locked.status !== 'accepted')
          throw new FormError('form', 'enrolments.errors.cannotEnd');
        if (await openEndRequest(tx, e.id)) throw new FormError('form', 'enrolments.errors.endPending');
        const service = await serviceOf(tx, e.service_id);
        const child = await tx('members').where({ id: e.child_id }).first('first_name', 'last_name');
        return requests.create(tx, {
          type: 'enrolment_end',
          accountId: actor.accountId,
          householdId: e.household_id,
          childId: e.child_id,
          summary: tFr('enrolments.requestSummary.end', {
            child: `${child.first_name} ${child.last_name}`,
            service: service.name,
          }),
          data: { enrolmentId: e.id, endsOn },
          actor,
        });
      });
    },

    pendingEnd: (e: EnrolmentRow) => openEndRequest(db, e.id),

    /** The parent answers a request marked "incomplète", optionally with a document of the vault. */
    async answer(e: EnrolmentRow, input: { message: string; documentId: number | null }, actor: Actor) {
      if (!e.request_id) throw new FormError('form', NOT_FOUND);
      if (input.documentId) {
        const [doc] = await documentsByIds(db, [input.documentId]);
        if (!doc || doc.household_id !== e.household_id)
          throw new FormError('document_id', 'enrolments.errors.documentInvalid');
      }
      if (!input.message.trim() && !input.documentId)
        throw new FormError('message', 'enrolments.errors.answerEmpty');
      await requests.addMessage(e.request_id, {
        message: input.message,
        documentId: input.documentId,
        actor,
        side: 'parent',
      });
    },

    // ---- staff

    /** Accept, refuse (reason required) or ask for more (message required): the request's decision drives the enrolment. */
    async decide(
      e: EnrolmentRow,
      decision: 'accepted' | 'refused' | 'incomplete',
      message: string | null,
      actor: Actor,
    ) {
      if (!e.request_id || e.status !== 'submitted')
        throw new FormError('form', 'enrolments.errors.notPending');
      await requests.decide(e.request_id, decision, actor, message);
    },

    /** Accepts, each in its own transaction, the submitted enrolments whose documents are complete. */
    async bulkAccept(ids: number[], actor: Actor): Promise<{ accepted: number; skipped: number }> {
      let accepted = 0;
      for (const id of [...new Set(ids)]) {
        const ok = await withTransaction(db, async (tx) => {
          const e = await lockEnrolment(tx, id);
          if (!e || e.status !== 'submitted' || !e.request_id) return false;
          const service = await serviceOf(tx, e.service_id);
          const check = await checkDocuments(tx, {
            householdId: e.household_id,
            childId: e.child_id,
            service,
            returnTo: '',
          });
          if (!check.complete) return false;
          const r = await tx('requests').where({ id: e.request_id }).first('status');
          if (!['submitted', 'in_review'].includes(r?.status)) return false;
          await requests.decide(e.request_id, 'accepted', actor, null, tx);
          return true;
        }).catch((err: unknown) => {
          if (err instanceof FormError) return false;
          throw err;
        });
        if (ok) accepted++;
      }
      if (accepted) await deps.audit.record(db, actor, 'enrolments.bulk_accepted', null, { count: accepted });
      return { accepted, skipped: new Set(ids).size - accepted };
    },

    /** At the desk: an agent enrols a child on the family's behalf (same rules, audited). */
    async deskEnrol(
      householdId: number,
      childId: number,
      serviceId: number,
      weekdays: number[],
      actor: Actor,
      ownerAccountId: number | null,
    ) {
      const service = await serviceOf(db, serviceId);
      const child = await findChildOfHousehold(db, householdId, childId);
      if (!child) throw new FormError('child_id', NOT_FOUND);
      if (service.kind === 'school') throw new FormError('service_id', 'enrolments.errors.deskSchool');
      const inel = await services.ineligibility(service, child);
      if (inel) throw new FormError('service_id', inel.key, inel.params);
      if (weekdays.some((d) => !service.weekdays.includes(d)))
        throw new FormError('weekdays', 'enrolments.errors.weekdays');
      try {
        return await withTransaction(db, async (tx) => {
          const existing = await findActive(tx, childId, serviceId);
          if (existing?.status === 'draft') await updateEnrolment(tx, existing.id, { status: 'withdrawn' });
          else if (existing)
            throw new FormError('service_id', 'enrolments.errors.duplicate', {
              child: child.first_name,
              service: service.name,
            });
          const id = await insertEnrolment(tx, {
            child_id: childId,
            service_id: serviceId,
            household_id: householdId,
            school_year_id: service.school_year_id,
            status: 'draft',
            step: 'summary',
            options: { weekdays: [...new Set(weekdays)].sort() },
            school_id: null,
            derogation: false,
            created_by: actor.accountId,
            created_at: deps.clock.now(),
          });
          const request = await submitIn(tx, id, actor, 'staff', ownerAccountId, '');
          await deps.audit.record(
            tx,
            actor,
            'enrolments.desk_created',
            { type: 'enrolment', id },
            { householdId, serviceId },
          );
          return { id, request };
        });
      } catch (err) {
        if (isUniqueViolation(err, 'enrolments_one_active'))
          throw new FormError('service_id', 'enrolments.errors.duplicate', {
            child: child.first_name,
            service: service.name,
          });
        throw err;
      }
    },
  };
}

/** Keeps a draft's resume point: never move back past a step already reached. */
export function furthest(steps: Step[], current: string, next: Step): Step {
  const a = steps.indexOf(current as Step);
  const b = steps.indexOf(next);
  return a > b ? (current as Step) : next;
}
