// What an audit event changed, in words: its label from the catalogue (admin.audit.actions.*) and
// a sentence from its details and the records they name (the days booked, the document and its
// decision…). Events of an action with nothing more to say get an empty sentence.
import type { T } from '../web/i18n.js';
import { formatDate, formatMoney } from '../web/format.js';
import { bookedDays, type AuditRefs } from './audit-refs.js';
import type { AuditRow } from './audit-repository.js';

type Describe = (e: AuditRow, r: AuditRefs, t: T) => string;

const K = 'admin.audit.describe.';
const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const idOf = (v: unknown) => (v == null ? NaN : Number(v));

/** "Attestation CAF (Léa)", or '' if the document is unknown. */
function documentOf(r: AuditRefs, id: unknown): string {
  const d = r.documents.get(idOf(id));
  return d ? (d.child ? `${d.type} (${d.child})` : d.type) : '';
}
function reservationOf(r: AuditRefs, id: unknown, t: T): string {
  const x = r.reservations.get(idOf(id));
  return x
    ? t(`${K}childServiceDay`, { child: x.child, service: x.service, day: formatDate(x.day, 'short') })
    : '';
}
function enrolmentOf(r: AuditRefs, id: unknown, t: T): string {
  const x = r.enrolments.get(idOf(id));
  return x ? t(`${K}childService`, { child: x.child, service: x.service }) : '';
}
function requestOf(r: AuditRefs, id: unknown, t: T): string {
  const x = r.requests.get(idOf(id));
  return x ? t(`${K}request`, { code: x.code, type: t(`requests.types.${x.type}`) }) : '';
}
const serviceOf = (r: AuditRefs, id: unknown) => r.services.get(idOf(id)) ?? '';
const memberOf = (r: AuditRefs, id: unknown) => r.members.get(idOf(id)) ?? '';
const accountOf = (r: AuditRefs, id: unknown) => r.accounts.get(idOf(id)) ?? '';
const roleOf = (t: T, role: unknown) => (str(role) ? t(`accounts.staff.roles.${str(role)}`) : '');

/** "Léa, Cantine : 14/09/2026, 15/09/2026 ; Tom, Garderie : …" */
function daysOf(e: AuditRow, r: AuditRefs, result: string): string {
  const groups = new Map<string, string[]>();
  for (const d of bookedDays(e).filter((x) => x.result === result)) {
    const key = `${memberOf(r, d.childId)}, ${serviceOf(r, d.serviceId)}`;
    groups.set(key, [...(groups.get(key) ?? []), formatDate(d.day, 'short')]);
  }
  return [...groups].map(([who, days]) => `${who} : ${days.join(', ')}`).join(' ; ');
}

function booking(e: AuditRow, r: AuditRefs, t: T): string {
  const booked = Number(e.details.booked ?? 0);
  const waiting = Number(e.details.waiting ?? 0);
  if (!Array.isArray(e.details.days)) return t(`${K}bookedCounts`, { count: booked, waiting });
  return [
    booked ? t(`${K}booked`, { count: booked, days: daysOf(e, r, 'booked') }) : '',
    waiting ? t(`${K}waiting`, { count: waiting, days: daysOf(e, r, 'waiting') }) : '',
  ]
    .filter(Boolean)
    .join(' ; ');
}

const ofDocument: Describe = (e, r) => documentOf(r, e.subject_id);
const ofReservation: Describe = (e, r, t) => reservationOf(r, e.subject_id, t);
const ofEnrolment: Describe = (e, r, t) => enrolmentOf(r, e.subject_id, t);
const ofRequest: Describe = (e, r, t) => requestOf(r, e.subject_id, t);
const ofService: Describe = (e, r) => serviceOf(r, e.subject_id);
const ofAccount: Describe = (e, r) => accountOf(r, e.subject_id);
const ofMember: Describe = (e, r) => memberOf(r, e.details.memberId);

const late: Describe = (e, r, t) =>
  [reservationOf(r, e.subject_id, t), e.details.late ? t(`${K}late`) : ''].filter(Boolean).join(' ');

const DESCRIBE: Record<string, Describe> = {
  'reservations.book': booking,
  'reservations.cancelled': late,
  'reservations.late_cancelled': late,
  'reservations.cancelled_free': late,
  'reservations.sick': ofReservation,
  'reservations.promoted': ofReservation,
  'reservations.certificate': (e, r, t) =>
    [reservationOf(r, e.subject_id, t), documentOf(r, e.details.documentId)].filter(Boolean).join(' — '),
  // A closure names its scope and days; older events named one service's day (subject: the service).
  'reservations.close_day': (e, r, t) => {
    const from = str(e.details.from ?? e.details.day);
    const to = str(e.details.to ?? from);
    const scope = str(e.details.scope);
    return t(`${K}closeDay`, {
      service:
        scope === 'school' || scope === 'town'
          ? t(`reservations.admin.close.scopes.${scope}`)
          : serviceOf(r, e.details.serviceId ?? e.subject_id),
      day:
        from === to
          ? formatDate(from, 'short')
          : t(`${K}range`, { from: formatDate(from, 'short'), to: formatDate(to, 'short') }),
      count: Number(e.details.cancelled ?? 0),
    });
  },
  'reservations.reopen': (e, _r, t) => t(`${K}reopen`, { count: Number(e.details.days ?? 0) }),
  'reservations.attendance': (e, r, t) =>
    t(`${K}attendance`, {
      child: memberOf(r, e.details.childId),
      service: serviceOf(r, e.subject_id),
      day: formatDate(str(e.details.day), 'short'),
      status: t(`reservations.attendance.${str(e.details.status)}`),
    }),
  'reservations.booking_rules': ofService,
  'documents.accepted': (e, r, t) =>
    [documentOf(r, e.subject_id), e.details.validUntilCorrected ? t(`${K}validUntilCorrected`) : '']
      .filter(Boolean)
      .join(' '),
  'documents.rejected': (e, r, t) =>
    t(`${K}rejected`, {
      document: documentOf(r, e.subject_id),
      reason: e.details.reason ? t(`documents.rejectReasons.${str(e.details.reason)}`) : '',
    }),
  'documents.uploaded': (e, r, t) =>
    t(`${K}uploaded`, { document: documentOf(r, e.subject_id), count: Number(e.details.files ?? 1) }),
  'documents.uploaded_by_staff': (e, r, t) =>
    t(`${K}uploaded`, { document: documentOf(r, e.subject_id), count: Number(e.details.files ?? 1) }),
  'documents.viewed': ofDocument,
  'documents.file_viewed': ofDocument,
  'documents.deleted': ofDocument,
  'enrolments.desk_created': ofEnrolment,
  'enrolments.draft_abandoned': ofEnrolment,
  'enrolments.bulk_accepted': (e, _r, t) => t(`${K}enrolmentsCount`, { count: Number(e.details.count ?? 0) }),
  'households.member_added': ofMember,
  'households.member_updated': ofMember,
  'households.contact_deleted': ofMember,
  'households.contact_deletion_requested': ofMember,
  'households.custody_linked': (e, r, t) =>
    t(`${K}custody`, {
      child: memberOf(r, e.details.childId),
      family: r.households.get(idOf(e.details.otherHouseholdId)) ?? '',
    }),
  'households.updated': (e, _r, t) =>
    typeof e.details.paperless === 'boolean'
      ? t(e.details.paperless ? `${K}paperlessOn` : `${K}paperlessOff`)
      : '',
  'households.activation_failed': (e, _r, t) => t(`${K}attempts`, { count: Number(e.details.attempts ?? 0) }),
  'households.activation_locked': (e, _r, t) => t(`${K}attempts`, { count: Number(e.details.attempts ?? 0) }),
  'billing.credit_note': (e, r, t) =>
    t(`${K}creditNote`, {
      amount: formatMoney(Number(e.details.amountCents ?? 0)),
      number: r.invoices.get(idOf(e.details.invoiceId))?.number ?? '',
    }),
  'billing.invoice_issued': (e, _r, t) =>
    t(`${K}invoice`, { number: str(e.details.number), month: str(e.details.month) }),
  'billing.run': (e, _r, t) => t(`${K}month`, { month: str(e.subject_id) }),
  'billing.rates_saved': ofService,
  'billing.rate_update_requested': ofRequest,
  'billing.qf_validated': (e, r, t) => requestOf(r, e.details.requestId, t),
  'payments.desk_recorded': (e, _r, t) =>
    t(`${K}payment`, {
      amount: formatMoney(Number(e.details.amountCents ?? 0)),
      method: t(`payments.methods.${str(e.details.method)}`),
    }),
  'payments.refunded': (e, _r, t) =>
    t(`${K}amount`, { amount: formatMoney(Number(e.details.amountCents ?? 0)) }),
  'payments.sepa_exported': (e, _r, t) =>
    t(`${K}sepaExport`, {
      month: str(e.details.month),
      count: Number(e.details.count ?? 0),
      amount: formatMoney(Number(e.details.totalCents ?? 0)),
    }),
  'payments.debit_rejected': (e, _r, t) => t(`${K}code`, { code: str(e.details.code) }),
  'services.created': ofService,
  'services.updated': ofService,
  'calendar.created': (e, _r, t) =>
    t(`services.calendar.kinds.${str(e.details.kind)}`) +
    ' — ' +
    formatDate(str(e.details.starts_on), 'short'),
  'staff.created': (e, r, t) =>
    t(`${K}staffRole`, { name: accountOf(r, e.subject_id), role: roleOf(t, e.details.role) }),
  'staff.updated': (e, r, t) =>
    t(`${K}staffRoleChange`, {
      name: accountOf(r, e.subject_id),
      from: roleOf(t, e.details.from),
      role: roleOf(t, e.details.role),
    }),
  'staff.disabled': ofAccount,
  'staff.enabled': ofAccount,
  'staff.2fa_reset': ofAccount,
  'staff.invite_resent': ofAccount,
  'outbox.resend': (e, _r, t) => t(`${K}email`, { id: str(e.subject_id) }),
};
for (const status of ['submitted', 'in_review', 'incomplete', 'accepted', 'refused', 'cancelled'])
  DESCRIBE[`requests.${status}`] = ofRequest;

/** The catalogue label of an action (the key itself if the catalogue lacks it). */
export const actionLabel = (t: T, action: string) => {
  const key = `admin.audit.actions.${action}`;
  const label = t(key);
  return label === key ? action : label;
};

/** What the event changed, in words ('' when the label says it all). */
export const describeEvent = (e: AuditRow, refs: AuditRefs, t: T): string =>
  DESCRIBE[e.action]?.(e, refs, t) ?? '';
