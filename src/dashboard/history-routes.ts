// A family's history: who did what on their household (their own changes, the town hall's
// decisions, bookings made at the desk, who opened their documents…), newest first. Staff are
// shown by role, never by name: the family needs to know that the town hall acted, not which
// agent; parents by name when they are a guardian of the household, else as "another parent".
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { actionLabel, describeEvent } from '../admin/audit-describe.js';
import { loadAuditRefs } from '../admin/audit-refs.js';
import {
  countAuditEvents,
  guardianAccountIds,
  listAuditEvents,
  type AuditRow,
} from '../admin/audit-repository.js';
import { requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { getT, type T } from '../web/i18n.js';

const PAGE_SIZE = 50;
const pageSchema = z.object({ page: z.coerce.number().int().min(1).max(10_000).optional().default(1) });

function who(t: T, e: AuditRow, guardians: Set<number>): string {
  if (!e.actor_account_id) return t('dashboard.history.system');
  if (e.actor_role === 'parent' || !e.actor_role) {
    return guardians.has(Number(e.actor_account_id))
      ? [e.actor_first_name, e.actor_last_name].filter(Boolean).join(' ')
      : t('dashboard.history.otherParent');
  }
  return t('dashboard.history.townHall', { role: t(`admin.audit.roles.${e.actor_role}`) });
}

export function historyRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/household/history', requireParent, withHousehold(), async (req, res) => {
    const f = pageSchema.safeParse(req.query);
    if (!f.success) throw new HttpError(404);
    const t = getT();
    const householdId = currentHouseholdId(req);
    const { page } = f.data;
    const [count, rows, guardians] = await Promise.all([
      countAuditEvents(deps.db, { householdId }),
      listAuditEvents(deps.db, { householdId }, PAGE_SIZE, (page - 1) * PAGE_SIZE),
      guardianAccountIds(deps.db, householdId),
    ]);
    const refs = await loadAuditRefs(deps.db, rows);
    res.render('dashboard/history', {
      events: rows.map((e) => ({
        at: e.at,
        who: who(t, e, guardians),
        label: actionLabel(t, e.action),
        description: describeEvent(e, refs, t),
      })),
      count,
      page,
      pages: Math.max(1, Math.ceil(count / PAGE_SIZE)),
    });
  });

  return router;
}
