// The parent's step-by-step enrolment form: a draft saved at each step (the child, the mandatory
// documents, the usual weekdays or the school with its catchment and derogations), then submitted.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { isUniqueViolation, withTransaction, type Queryable } from '../platform/db.js';
import { findChildOfHousehold } from '../households/access.js';
import type { SchoolRow } from '../services/repository.js';
import {
  catchmentSchoolId,
  createServicesService,
  findSchool,
  listSchools,
  type ServiceDetails,
} from '../services/service.js';
import { FormError } from '../web/forms.js';
import { checkDocuments } from './document-check.js';
import { NOT_FOUND, serviceOf } from './lookups.js';
import {
  documentsByIds,
  findActive,
  findEnrolment,
  householdStreet,
  insertEnrolment,
  updateEnrolment,
  type EnrolmentOptions,
  type EnrolmentRow,
} from './repository.js';
import { ALREADY_SUBMITTED, submitIn } from './submission.js';

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

/** Keeps a draft's resume point: never move back past a step already reached. */
export function furthest(steps: Step[], current: string, next: Step): Step {
  const a = steps.indexOf(current as Step);
  const b = steps.indexOf(next);
  return a > b ? (current as Step) : next;
}

export function createWizardService(deps: AppDeps) {
  const { db } = deps;
  const services = createServicesService(deps);

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

  /** Moves a draft to a step (the step the parent will resume at). */
  async function advance(
    e: EnrolmentRow,
    step: Step,
    patch: { options?: EnrolmentOptions; school_id?: number | null; derogation?: boolean } = {},
  ) {
    if (e.status !== 'draft') throw new FormError('form', ALREADY_SUBMITTED);
    await updateEnrolment(db, e.id, { step, ...patch });
  }

  return {
    checkDocuments: (input: {
      householdId: number;
      childId: number;
      service: ServiceDetails;
      returnTo: string;
    }) => checkDocuments(deps, db, input),
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
      const service = await serviceOf(deps, db, serviceId);
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

    advance,

    /** The usual weekdays: a subset of the service's days. */
    async saveOptions(e: EnrolmentRow, service: ServiceDetails, weekdays: number[], next: Step) {
      if (weekdays.some((d) => !service.weekdays.includes(d)))
        throw new FormError('weekdays', 'enrolments.errors.weekdays');
      await advance(e, next, { options: { ...e.options, weekdays: [...new Set(weekdays)].sort() } });
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
        return advance(e, next, {
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
      await advance(e, next, {
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
      return withTransaction(db, (tx) =>
        submitIn(deps, tx, e.id, actor, 'parent', actor.accountId, returnTo),
      );
    },
  };
}
