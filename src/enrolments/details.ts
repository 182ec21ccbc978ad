// What staff see beside an enrolment request on /admin/requests/<id>: the child, the family and
// the required documents (the documents check needs the app's clock: it comes with deps).
import type { AppDeps } from '../deps.js';
import type { StaffDetailSection } from '../requests/service.js';
import type { RequestRow } from '../requests/repository.js';
import { createServicesService } from '../services/service.js';
import { tFr } from '../web/i18n.js';
import { formatDate } from '../web/format.js';
import { familyOf, findChild, findEnrolment } from './repository.js';
import { createEnrolmentsService } from './service.js';

export async function enrolmentStaffDetails(
  deps: AppDeps,
  request: RequestRow,
): Promise<StaffDetailSection[]> {
  const services = createServicesService(deps);
  const enrolments = createEnrolmentsService(deps);
  const id = Number(request.data.enrolmentId);
  const e = Number.isSafeInteger(id) ? await findEnrolment(deps.db, id) : undefined;
  if (!e || e.household_id !== request.household_id) return [];
  const [service, child, family] = await Promise.all([
    services.get(e.service_id),
    findChild(deps.db, e.child_id),
    familyOf(deps.db, e.household_id),
  ]);
  if (!service || !child) return [];
  const check = await enrolments.checkDocuments({
    householdId: e.household_id,
    childId: e.child_id,
    service,
    returnTo: '',
  });
  const link = `/admin/enrolments/${e.id}`;
  const h = family.household as Record<string, string | null>;
  return [
    {
      title: tFr('enrolments.admin.childTitle'),
      rows: [
        {
          label: tFr('enrolments.fields.child'),
          value: `${child.first_name} ${child.last_name}`,
          href: link,
        },
        { label: tFr('enrolments.fields.birthDate'), value: formatDate(child.birth_date) },
        {
          label: tFr('enrolments.fields.school'),
          value: `${child.school_name ?? ''} ${child.class_level ?? ''}`.trim(),
        },
        { label: tFr('enrolments.fields.service'), value: service.name },
        ...(request.data.endsOn
          ? [{ label: tFr('enrolments.fields.endsOn'), value: formatDate(String(request.data.endsOn)) }]
          : []),
      ],
    },
    {
      title: tFr('enrolments.admin.familyTitle'),
      rows: [
        { label: tFr('enrolments.fields.familyNumber'), value: String(h.family_number ?? '') },
        ...family.guardians.map((g) => ({
          label: tFr('enrolments.fields.guardian'),
          value: `${g.first_name} ${g.last_name} (${g.email})`,
        })),
        {
          label: tFr('enrolments.fields.address'),
          value: [h.house_number, h.street_name ?? h.address_line, h.postcode, h.city]
            .filter(Boolean)
            .join(' '),
        },
      ],
    },
    {
      title: tFr('enrolments.admin.documentsTitle'),
      rows: check.items.length
        ? check.items.map((i) => ({
            label: i.requirement.name,
            value:
              tFr(`enrolments.documents.states.${i.state}`) +
              (i.document
                ? ` – ${tFr(`enrolments.documents.docStatus.${i.document.status}`)}` +
                  (i.document.valid_until
                    ? `, ${tFr('enrolments.documents.validUntil', { date: formatDate(i.document.valid_until) })}`
                    : '')
                : ''),
            href: link,
          }))
        : [{ label: tFr('enrolments.admin.documentsTitle'), value: tFr('services.noDocuments') }],
    },
  ];
}
