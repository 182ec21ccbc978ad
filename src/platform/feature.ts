// The platform's own pages: home, health, legal pages, and the admin's audit log and outbox.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Feature } from '../features.js';
import type { AppDeps } from '../deps.js';
import { actorOf, requireAdmin } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { getT } from '../web/i18n.js';
import { maskSecretLinks, resendFailedEmail } from './email.js';

const PAGE_SIZE = 50;

const auditFilters = z.object({
  action: z.string().trim().max(100).optional().default(''),
  subject: z.string().trim().max(100).optional().default(''),
  actor: z.string().trim().regex(/^\d*$/).max(20).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

const emailFilters = z.object({
  status: z.enum(['', 'pending', 'sent', 'failed']).optional().default(''),
  to: z.string().trim().max(254).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

function emailId(param: unknown): number {
  const id = Number(param);
  if (typeof param !== 'string' || !/^\d{1,15}$/.test(param) || !Number.isSafeInteger(id)) throw new HttpError(404);
  return id;
}

/** GET /healthz: mounted before sessions, so that it needs nothing but one query. */
export function healthCheck(deps: AppDeps): RequestHandler {
  return async (_req, res) => {
    try {
      await deps.db.raw('select 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  };
}

function routes(_deps: AppDeps): Router {
  const router = Router();

  router.get('/', (req, res, next) => {
    if (req.account?.role && req.account.role !== 'parent') return res.redirect('/admin');
    if (req.account) return next(); // the parent's dashboard (households feature)
    res.render('pages/home', { loggedOut: req.query.logged_out === '1' });
  });

  for (const [path, view] of [
    ['/accessibilite', 'pages/accessibility'],
    ['/donnees-personnelles', 'pages/privacy'],
    ['/mentions-legales', 'pages/legal'],
  ] as const) {
    router.get(path, (_req, res) => res.render(view));
  }
  return router;
}

function adminRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    // Imported here: features.ts imports this module.
    const { features } = await import('../features.js');
    const role = req.account!.role;
    const links = features.flatMap((f) => f.adminLinks ?? []).filter((l) => l.roles.includes(role));
    // Emails given up on after days of retries wait for an admin to send them again.
    const failedEmails = role === 'admin' ? Number((await deps.db('outbox_emails').where({ status: 'failed' }).count({ n: '*' }))[0]!.n) : null;
    res.render('admin/home', { links, failedEmails });
  });

  router.get('/audit', requireAdmin, async (req, res) => {
    const f = auditFilters.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const { action, subject, actor, page } = f.data;
    const q = deps.db('audit_events').modify((qb) => {
      if (action) qb.where('action', 'like', `${action.replace(/[%_\\]/g, '\\$&')}%`);
      if (subject) qb.where('subject_type', subject);
      if (actor) qb.where('actor_account_id', Number(actor));
    });
    const [{ count }] = (await q.clone().count({ count: '*' })) as [{ count: number }];
    const events = await q.clone().orderBy('id', 'desc').limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE);
    res.render('admin/audit', { events, filters: f.data, count: Number(count), page, pages: Math.max(1, Math.ceil(Number(count) / PAGE_SIZE)) });
  });

  router.get('/emails', requireAdmin, async (req, res) => {
    const f = emailFilters.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const { status, to, page } = f.data;
    const q = deps.db('outbox_emails').modify((qb) => {
      if (status) qb.where({ status });
      if (to) qb.whereRaw('lower(to_address) = lower(?)', [to]);
    });
    const [{ count }] = (await q.clone().count({ count: '*' })) as [{ count: number }];
    const emails = await q.clone().select('id', 'to_address', 'subject', 'kind', 'status', 'attempts', 'created_at', 'sent_at').orderBy('id', 'desc').limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE);
    res.render('admin/emails', { emails, filters: f.data, count: Number(count), page, pages: Math.max(1, Math.ceil(Number(count) / PAGE_SIZE)) });
  });

  router.get('/emails/:id', requireAdmin, async (req, res) => {
    const id = emailId(req.params.id);
    const email = await deps.db('outbox_emails')
      .where({ id })
      .first('id', 'to_address', 'subject', 'kind', 'status', 'attempts', 'created_at', 'sent_at', 'next_attempt_at', 'text_body', 'last_error');
    if (!email) throw new HttpError(404);
    // Staff read what was sent, never a live password-reset or invitation link.
    const { text_body, last_error, ...shown } = email;
    res.render('admin/email', { email: shown, text: maskSecretLinks(text_body), lastError: last_error ? maskSecretLinks(last_error) : null });
  });

  router.post('/emails/:id/resend', requireAdmin, async (req, res) => {
    const id = emailId(req.params.id);
    const t = getT(req.lang);
    const outcome = await resendFailedEmail(deps, id, actorOf(req));
    if (outcome === 'notFound') throw new HttpError(404);
    if (outcome === 'resent') flash(req, t('admin.emails.resent'));
    else flash(req, t('admin.emails.notFailed'), 'info');
    res.redirect(303, `/admin/emails/${id}`);
  });
  return router;
}

export const platformFeature: Feature = {
  name: 'platform',
  routes,
  adminRoutes,
  adminLinks: [
    { href: '/admin/audit', label: 'admin.audit.title', roles: ['admin'] },
    { href: '/admin/emails', label: 'admin.emails.title', roles: ['admin'] },
  ],
};
