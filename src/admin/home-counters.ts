// The staff home's counters: what waits for this staff member, each with the link to its queue
// filtered the same way. Only the counters of the queues the person's role may open.
import type { AppDeps } from '../deps.js';
import { overdueInvoiceCount } from '../billing/staff-counts.js';
import { pendingDocumentCount } from '../documents/staff-counts.js';
import { submittedEnrolmentCount } from '../enrolments/staff-counts.js';
import { today } from '../platform/clock.js';
import { openRequestCountsByType } from '../requests/staff-counts.js';
import { openSheetsOn } from '../reservations/staff-counts.js';
import type { Role } from '../web/types.js';

/** Roles of each queue, as its routes guard it (requireAgent, requireManager, the sheet's roles). */
const DESK: readonly Role[] = ['agent', 'manager', 'admin'];
const MONEY: readonly Role[] = ['manager', 'admin'];

export interface HomeCounters {
  day: string;
  documents: number | null;
  requests: { total: number; byType: { type: string; count: number; href: string }[] } | null;
  enrolments: number | null;
  sheets: { id: number; name: string; href: string }[];
  overdueInvoices: number | null;
}

export async function homeCounters(
  deps: AppDeps,
  account: { id: number; role: Role },
): Promise<HomeCounters> {
  const day = today(deps.clock);
  const desk = DESK.includes(account.role);
  const money = MONEY.includes(account.role);
  const [documents, requests, enrolments, sheets, overdueInvoices] = await Promise.all([
    desk ? pendingDocumentCount(deps.db) : null,
    desk ? openRequestCountsByType(deps.db) : null,
    desk ? submittedEnrolmentCount(deps.db) : null,
    openSheetsOn(deps.db, account, day),
    money ? overdueInvoiceCount(deps.db, day) : null,
  ]);
  return {
    day,
    documents,
    requests: requests && {
      total: requests.reduce((s, r) => s + r.count, 0),
      byType: requests.map((r) => ({ ...r, href: `/admin/requests?type=${encodeURIComponent(r.type)}` })),
    },
    enrolments,
    sheets: sheets.map((s) => ({
      ...s,
      href: `/admin/attendance?${new URLSearchParams({ service: String(s.id), date: day }).toString()}`,
    })),
    overdueInvoices,
  };
}
