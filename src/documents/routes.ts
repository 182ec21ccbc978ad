// Parents' vault: upload (multipart, parsed with hard limits by the CSRF layer), list, replace,
// delete a pending document; and the download of a page for guardians and staff.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { actorOf, currentAccount, isStaff, requireLogin, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { localPath } from '../web/urls.js';
import { ACCEPT_ATTRIBUTE, contentDisposition, isInlineType } from './files.js';
import { childrenOfHousehold } from './repository-households.js';
import { uploadSchema } from './schemas.js';
import { createDocumentsService, type DocumentsService } from './service.js';
import type { UploadedFile } from './upload.js';

const STAFF_VIEWERS = ['agent', 'manager', 'admin'];

export function filesOfRequest(req: Request): UploadedFile[] {
  return Array.isArray(req.files) ? (req.files as UploadedFile[]) : [];
}

/** Values kept on the form after an error (never the files: browsers cannot refill a file input). */
export function uploadValues(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).slice(0, 2000) : '');
  return {
    type: s('type'),
    member_id: s('member_id'),
    valid_until: s('valid_until'),
    replaces_id: s('replaces_id'),
    return_to: localPath(s('return_to'), ''),
  };
}

function sendDocumentFile(
  res: Response,
  file: { data: Buffer; downloadName: string; file: { mime_type: string } },
) {
  const mime = file.file.mime_type;
  res.setHeader('Content-Type', mime);
  res.setHeader('Content-Length', String(file.data.length));
  res.setHeader(
    'Content-Disposition',
    contentDisposition(isInlineType(mime) ? 'inline' : 'attachment', file.downloadName),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  // Nothing in a file may run or load anything. PDFs keep the browser's viewer (a sandbox would block it).
  res.setHeader(
    'Content-Security-Policy',
    mime === 'application/pdf'
      ? "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
      : "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox",
  );
  res.send(file.data);
}

export function documentsRoutes(deps: AppDeps): Router {
  const router = Router();
  const documents = createDocumentsService(deps);
  const parent = [requireParent, withHousehold()];

  async function renderVault(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, string>,
    errors: FormErrors = noErrors(),
  ) {
    const householdId = currentHouseholdId(req);
    const [vault, types, children] = await Promise.all([
      documents.vault(householdId),
      documents.types(true),
      childrenOfHousehold(deps.db, householdId),
    ]);
    const replacing =
      values.replaces_id && /^\d{1,15}$/.test(values.replaces_id)
        ? await documents.findForHousehold(householdId, Number(values.replaces_id))
        : undefined;
    res.status(status).render('documents/index', {
      ...vault,
      types,
      children,
      values,
      errors,
      replacing: replacing && !replacing.superseded_at ? replacing : null,
      accept: ACCEPT_ATTRIBUTE,
    });
  }

  router.get('/documents', ...parent, async (req, res) => {
    const q = req.query;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 50) : '');
    await renderVault(req, res, 200, {
      type: str(q.type),
      member_id: /^\d{1,15}$/.test(str(q.member)) ? str(q.member) : '',
      valid_until: '',
      replaces_id: /^\d{1,15}$/.test(str(q.replace)) ? str(q.replace) : '',
      return_to: localPath(q.return_to, ''),
    });
  });

  router.post('/documents', ...parent, async (req, res) => {
    const t = getT();
    const values = uploadValues(req.body);
    const form = uploadSchema.safeParse(req.body ?? {});
    if (!form.success) return renderVault(req, res, 400, values, formErrors(form.error, t));
    try {
      await documents.upload({
        householdId: currentHouseholdId(req),
        actor: actorOf(req),
        form: form.data,
        files: filesOfRequest(req),
        uploadError: req.uploadError,
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderVault(req, res, 422, values, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(req, t(form.data.replaces_id ? 'documents.flash.replaced' : 'documents.flash.uploaded'));
    res.redirect(303, localPath(form.data.return_to, '/documents'));
  });

  router.post('/documents/:id/delete', ...parent, async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    try {
      if (!(await documents.deletePending(currentHouseholdId(req), id, actorOf(req))))
        throw new HttpError(404);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, t(err.key), 'error');
      return res.redirect(303, '/documents');
    }
    flash(req, t('documents.flash.deleted'));
    res.redirect(303, '/documents');
  });

  // A page of a document: the household's guardians, and staff who may see documents (not animators).
  const download = async (req: Request, res: Response) => {
    const account = currentAccount(req);
    const id = idParam(req.params.id);
    const n = req.params.n === undefined ? 1 : idParam(req.params.n);
    let file: Awaited<ReturnType<DocumentsService['fileForStaff']>>;
    if (isStaff(account.role)) {
      if (!STAFF_VIEWERS.includes(account.role)) throw new HttpError(403);
      file = await documents.fileForStaff(id, n, actorOf(req));
    } else {
      const householdId = account.householdId;
      file = householdId ? await documents.fileForHousehold(householdId, id, n) : undefined;
    }
    if (!file) throw new HttpError(404);
    sendDocumentFile(res, file);
  };
  router.get('/documents/:id/file', requireLogin, download);
  router.get('/documents/:id/file/:n', requireLogin, download);

  return router;
}
