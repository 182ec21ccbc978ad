// The one family search of the desk tools (booking, enrolment, upload, payment): the households
// search, by name (parent or child, accent-insensitive), family number, email or phone. One match
// opens the tool on that family; several are listed to choose from. Plain GET forms: no JS needed.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { searchSchema } from '../households/schemas.js';
import { createHouseholdsService } from '../households/service.js';
import { currentAccount, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { addError, formErrors, noErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { DESK_TOOLS, isDeskTool, toolUrl } from './family-tools.js';

/** Families listed at most; more asks for a narrower search. */
const SHOWN = 20;

export function familyPickerRoutes(deps: AppDeps): Router {
  const router = Router();
  const households = createHouseholdsService(deps);

  router.get('/families/find', requireAgent, async (req, res) => {
    const tool = req.query.for;
    if (!isDeskTool(tool)) throw new HttpError(404);
    if (!(DESK_TOOLS[tool].roles as readonly string[]).includes(currentAccount(req).role))
      throw new HttpError(403);
    const t = getT();
    const render = (status: number, q: string, rows: unknown[], count: number, errors = noErrors()) =>
      res.status(status).render('admin/family/find', { tool, q, rows, count, shown: SHOWN, errors, toolUrl });
    const raw = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const form = searchSchema.safeParse({ q: req.query.q });
    if (!form.success) return render(422, raw, [], 0, formErrors(form.error, t));
    const q = form.data.q;
    if (!q) return render(422, q, [], 0, addError(noErrors(), 'q', t('admin.picker.required')));
    const { rows, count } = await households.search(q, 1, SHOWN);
    if (count === 1) return res.redirect(303, toolUrl(tool, rows[0]!.id));
    if (!count) return render(422, q, [], 0, addError(noErrors(), 'q', t('admin.picker.none')));
    render(200, q, rows, count);
  });

  return router;
}
