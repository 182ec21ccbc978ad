// The admin's pages: the staff home (counters, links of every feature), the audit log
// (audit-routes.ts) and the outbox of emails, with its "send again" action for emails given up on.
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { AdminLink } from '../features.js';
import { maskSecretLinks, resendFailedEmail } from '../platform/email.js';
import { actorOf, requireAdmin } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { getT } from '../web/i18n.js';
import { auditRoutes } from './audit-routes.js';
import { homeCounters } from './home-counters.js';
import { failedEmailCount, findOutboxEmail, outboxEmails, PAGE_SIZE } from './repository.js';

const emailFilters = z.object({
  status: z.enum(['', 'pending', 'sent', 'failed']).optional().default(''),
  to: z.string().trim().max(254).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

function emailId(param: unknown): number {
  const id = Number(param);
  if (typeof param !== 'string' || !/^\d{1,15}$/.test(param) || !Number.isSafeInteger(id))
    throw new HttpError(404);
  return id;
}

const pages = (count: number) => Math.max(1, Math.ceil(count / PAGE_SIZE));

/** The admin's routes, under /admin; `links` are the staff home's entries, of every feature. */
export function adminRoutes(deps: AppDeps, links: AdminLink[]): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const role = req.account!.role;
    const shown = links.filter((l) => l.roles.includes(role));
    // Emails given up on after days of retries wait for an admin to send them again.
    const [failedEmails, counters] = await Promise.all([
      role === 'admin' ? failedEmailCount(deps.db) : null,
      homeCounters(deps, req.account!),
    ]);
    res.render('admin/home', { links: shown, failedEmails, counters });
  });

  router.get('/emails', requireAdmin, async (req, res) => {
    const f = emailFilters.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const { page } = f.data;
    const { emails, count } = await outboxEmails(deps.db, f.data, page);
    res.render('admin/emails', { emails, filters: f.data, count, page, pages: pages(count) });
  });

  router.get('/emails/:id', requireAdmin, async (req, res) => {
    const email = await findOutboxEmail(deps.db, emailId(req.params.id));
    if (!email) throw new HttpError(404);
    // Staff read what was sent, never a live password-reset or invitation link.
    const { text_body, last_error, ...shown } = email;
    res.render('admin/email', {
      email: shown,
      text: maskSecretLinks(text_body),
      lastError: last_error ? maskSecretLinks(last_error) : null,
    });
  });

  router.post('/emails/:id/resend', requireAdmin, async (req, res) => {
    const id = emailId(req.params.id);
    const t = getT();
    const outcome = await resendFailedEmail(deps, id, actorOf(req));
    if (outcome === 'notFound') throw new HttpError(404);
    if (outcome === 'resent') flash(req, t('admin.emails.resent'));
    else flash(req, t('admin.emails.notFailed'), 'info');
    res.redirect(303, `/admin/emails/${id}`);
  });
  router.use(auditRoutes(deps));
  return router;
}
