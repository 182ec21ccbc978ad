// The audit log (admins): who did what, in words, filtered by dates, actor, family and action,
// page by page or as CSV.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { toCsv } from '../payments/csv.js';
import { requireAdmin } from '../web/auth.js';
import { isRealDay } from '../web/dates.js';
import { formatDateTime } from '../web/format.js';
import { addError, formErrors, hasErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT, type T } from '../web/i18n.js';
import { text } from '../web/text.js';
import { actionLabel, describeEvent } from './audit-describe.js';
import { loadAuditRefs } from './audit-refs.js';
import {
  countAuditEvents,
  householdByFamilyNumber,
  listAuditEvents,
  type AuditQuery,
  type AuditRow,
} from './audit-repository.js';

const PAGE_SIZE = 50;
/** A CSV export stops there: a wider one asks for a narrower date range. */
const CSV_MAX = 20_000;

const day = z
  .string()
  .trim()
  .refine((v) => v === '' || isRealDay(v), 'admin.audit.errors.date')
  .optional()
  .default('');

const filtersSchema = z.object({
  from: day,
  to: day,
  actor: text().trim().max(100, 'admin.audit.errors.actor').optional().default(''),
  family: text().trim().max(20, 'admin.audit.errors.family').optional().default(''),
  action: z
    .string()
    .trim()
    .regex(/^[a-z0-9_.]{0,80}$/, 'admin.audit.errors.action')
    .optional()
    .default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});
type Filters = z.infer<typeof filtersSchema>;

/** The actor as staff read it: "Name (role)", or the system. */
function actorText(t: T, e: AuditRow): string {
  if (!e.actor_account_id) return t('admin.audit.roles.system');
  const role = e.actor_role ? t(`admin.audit.roles.${e.actor_role}`) : '';
  const name = [e.actor_first_name, e.actor_last_name].filter(Boolean).join(' ');
  return role ? `${name} (${role})` : name;
}

/** The action keys of the catalogue, by family (for the action filter). */
function actionGroups(t: T) {
  const tree = t('admin.audit.actions', { returnObjects: true }) as unknown as Record<
    string,
    Record<string, string>
  >;
  return Object.entries(tree).map(([prefix, actions]) => ({
    prefix,
    label: t(`admin.audit.groups.${prefix}`),
    actions: Object.entries(actions).map(([k, label]) => ({ key: `${prefix}.${k}`, label })),
  }));
}

export function auditRoutes(deps: AppDeps): Router {
  const router = Router();

  /** The filters as a query, or the form's errors. */
  async function parse(req: Request): Promise<{ filters: Filters; query: AuditQuery; errors: FormErrors }> {
    const t = getT();
    const f = filtersSchema.safeParse(req.query);
    const raw = req.query as Record<string, unknown>;
    const keep = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
    if (!f.success) {
      const filters = {
        from: keep('from'),
        to: keep('to'),
        actor: keep('actor'),
        family: keep('family'),
        action: keep('action'),
        page: 1,
      };
      return { filters, query: {}, errors: formErrors(f.error, t) };
    }
    const filters = f.data;
    const errors = noErrors();
    if (filters.from && filters.to && filters.to < filters.from)
      addError(errors, 'to', t('admin.audit.errors.range'));
    let householdId: number | undefined;
    if (filters.family) {
      const household = await householdByFamilyNumber(deps.db, filters.family);
      if (!household) addError(errors, 'family', t('admin.audit.errors.familyUnknown'));
      else householdId = household.id;
    }
    const query: AuditQuery = {
      from: filters.from || undefined,
      to: filters.to || undefined,
      actor: filters.actor || undefined,
      action: filters.action || undefined,
      householdId,
    };
    return { filters, query, errors };
  }

  const queryString = (f: Filters) =>
    new URLSearchParams(
      Object.entries({ from: f.from, to: f.to, actor: f.actor, family: f.family, action: f.action }).filter(
        ([, v]) => v !== '',
      ),
    ).toString();

  router.get('/audit', requireAdmin, async (req: Request, res: Response) => {
    const t = getT();
    const { filters, query, errors } = await parse(req);
    const groups = actionGroups(t);
    if (hasErrors(errors)) {
      return res.status(400).render('admin/audit', {
        filters,
        errors,
        groups,
        events: [],
        count: 0,
        page: 1,
        pages: 1,
        query: '',
      });
    }
    const page = filters.page;
    const [count, rows] = await Promise.all([
      countAuditEvents(deps.db, query),
      listAuditEvents(deps.db, query, PAGE_SIZE, (page - 1) * PAGE_SIZE),
    ]);
    const refs = await loadAuditRefs(deps.db, rows);
    const events = rows.map((e) => ({
      id: e.id,
      at: e.at,
      actor: actorText(t, e),
      label: actionLabel(t, e.action),
      action: e.action,
      householdId: e.household_id,
      familyNumber: e.family_number,
      description: describeEvent(e, refs, t),
    }));
    res.render('admin/audit', {
      filters,
      errors,
      groups,
      events,
      count,
      page,
      pages: Math.max(1, Math.ceil(count / PAGE_SIZE)),
      query: queryString(filters),
    });
  });

  router.get('/audit.csv', requireAdmin, async (req: Request, res: Response) => {
    const t = getT();
    const { filters, query, errors } = await parse(req);
    // The export link comes from a page whose filters were checked: bad ones go back to it.
    if (hasErrors(errors)) return res.redirect(303, `/admin/audit?${queryString(filters)}`);
    const rows = await listAuditEvents(deps.db, query, CSV_MAX, 0);
    const refs = await loadAuditRefs(deps.db, rows);
    const csv = toCsv(
      ['date', 'actor', 'role', 'action', 'family', 'details'].map((h) => t(`admin.audit.csv.${h}`)),
      rows.map((e) => [
        formatDateTime(e.at),
        e.actor_account_id
          ? [e.actor_first_name, e.actor_last_name].filter(Boolean).join(' ')
          : t('admin.audit.roles.system'),
        e.actor_role ? t(`admin.audit.roles.${e.actor_role}`) : '',
        actionLabel(t, e.action),
        e.family_number ?? '',
        describeEvent(e, refs, t),
      ]),
    );
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="journal-audit.csv"');
    res.send(csv);
  });

  return router;
}
