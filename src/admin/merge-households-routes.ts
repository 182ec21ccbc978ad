// Staff (managers): merge another household into this one. GET shows the form, then with
// ?other=<family number> both cards side by side and whatever stops the merge; POST merges.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { actorOf, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import { createHouseholdsService } from '../households/service.js';
import { createMergeHouseholdsService } from './merge-households.js';

const mergeSchema = z.object({
  other: z
    .string({ message: 'households.merge.errors.otherRequired' })
    .trim()
    .min(1, 'households.merge.errors.otherRequired')
    .max(20, 'households.merge.errors.unknown')
    .regex(/^[\p{L}\p{N} -]+$/u, 'households.merge.errors.unknown'),
});

export function mergeHouseholdsRoutes(deps: AppDeps): Router {
  const router = Router();
  const households = createHouseholdsService(deps);
  const merges = createMergeHouseholdsService(deps);

  /** The household to keep: open, else 404. */
  async function keptOr404(req: Request) {
    const overview = await households.overview(idParam(req.params.id));
    if (!overview || overview.household.merged_into_id) throw new HttpError(404);
    return overview;
  }

  /** The page; with a well-formed `other`, both cards and whatever stops the merge. */
  async function render(
    req: Request,
    res: Response,
    status: number,
    other: string,
    errors: FormErrors,
    refused?: FormError,
  ) {
    const kept = await keptOr404(req);
    let preview = null;
    if (other && !errors.fields.other && mergeSchema.safeParse({ other }).success) {
      try {
        preview = await merges.preview(kept.household.id, other);
      } catch (err) {
        if (!(err instanceof FormError)) throw err;
        addError(errors, err.field, getT()(err.key, err.params));
        status = 422;
      }
    }
    if (preview?.refusal) {
      addError(errors, 'other', getT()(preview.refusal.key, preview.refusal.params));
      status = 422;
    }
    if (refused && !errors.summary.length)
      addError(errors, refused.field, getT()(refused.key, refused.params));
    res.status(status).render('admin/households/merge', { kept, preview, values: { other }, errors });
  }

  router.get('/households/:id/merge', requireManager, async (req, res) => {
    const raw = typeof req.query.other === 'string' ? req.query.other : '';
    if (!raw) return render(req, res, 200, '', noErrors());
    const form = mergeSchema.safeParse({ other: raw });
    if (!form.success) return render(req, res, 422, raw, formErrors(form.error, getT()));
    await render(req, res, 200, form.data.other, noErrors());
  });

  router.post('/households/:id/merge', requireManager, async (req, res) => {
    const t = getT();
    const kept = await keptOr404(req);
    const form = mergeSchema.safeParse(req.body ?? {});
    const raw = typeof req.body?.other === 'string' ? req.body.other : '';
    if (!form.success) return render(req, res, 422, raw, formErrors(form.error, t));
    let merged;
    try {
      merged = await merges.merge(kept.household.id, form.data.other, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      // The page finds the refusal again (beside the field, with both cards).
      return render(req, res, 422, form.data.other, noErrors(), err);
    }
    flash(req, t('households.merge.done', { other: merged.otherNumber, kept: kept.household.family_number }));
    res.redirect(303, `/admin/households/${kept.household.id}`);
  });

  return router;
}
