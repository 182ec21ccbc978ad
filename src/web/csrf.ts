// CSRF on every POST (synchroniser token in the session, csrf-sync). Multipart bodies are
// parsed first by the one shared helper below, with hard limits, then checked like any form:
// no route can opt out.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import multer from 'multer';

const UPLOAD_LIMITS = {
  fileSize: 10 * 1024 * 1024,
  files: 5,
  fields: 20,
  fieldSize: 100 * 1024,
  parts: 30,
};

const { generateToken, isRequestValid } = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
    const header = req.headers['x-csrf-token'];
    return fromBody ?? (typeof header === 'string' ? header : undefined);
  },
});

/**
 * `csrfToken()` for the views: the session's token, made (and the session then stored) only when a
 * page writes a form, so that a visitor reading pages stores nothing. A page with the token is the
 * visitor's own: never kept by a browser or a proxy cache.
 */
export function csrfTokenFor(req: Request, res: Response): () => string {
  return () => {
    if (!res.headersSent) res.setHeader('Cache-Control', 'no-store');
    return generateToken(req);
  };
}

export class CsrfError extends Error {
  constructor() {
    super('invalid csrf token');
  }
}

const isMultipart = (req: Request) =>
  (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');

/** Files are kept in memory (bounded by UPLOAD_LIMITS) until a service has checked and stored them. */
const multipartParser = multer({ storage: multer.memoryStorage(), limits: UPLOAD_LIMITS }).array(
  'file',
  UPLOAD_LIMITS.files,
);

/** Parses multipart bodies with hard limits. A broken limit is kept in req.uploadError for the route's form. */
function parseMultipart(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST' || !isMultipart(req)) return next();
  multipartParser(req, res, (err: unknown) => {
    if (err instanceof multer.MulterError) {
      req.uploadError = err.code;
      req.body ??= {};
      req.files = [];
      // The rest of the request body is not read: close the connection after answering.
      res.setHeader('Connection', 'close');
      return next();
    }
    if (err) {
      // A malformed body (e.g. a NUL in a file name: busboy's "Malformed part header") is bad input, not a server error.
      req.uploadError = 'MALFORMED_MULTIPART';
      req.body ??= {};
      req.files = [];
      res.setHeader('Connection', 'close');
      return next();
    }
    next();
  });
}

function checkToken(req: Request, _res: Response, next: NextFunction): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  if (!isRequestValid(req)) return next(new CsrfError());
  next();
}

export const csrfProtection: RequestHandler[] = [parseMultipart, checkToken];
