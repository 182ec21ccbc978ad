// One log line per request, and its id in X-Request-Id (what a person quotes to the help desk).
// Our own rather than pino-http: that one built a child logger and serialized every request even
// at LOG_LEVEL=warn, where no line is written (≈ 7 % of a small POST's CPU). Here a request costs
// one header unless info is enabled. No personal data: method, path without its query, status, time.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../platform/logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id, as sent in X-Request-Id. */
    id: string;
  }
}

/** Unique across processes (random prefix) and cheap within one (a counter). */
const PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

const ASSETS = ['/css/', '/js/', '/img/'];
const isAsset = (url: string) => ASSETS.some((dir) => url.startsWith(dir));

/** The path without its query string (which may carry an email, a search, a token). */
export const pathOf = (url: string) => {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};

/** What identifies a request in a log line (e.g. the error handler's). */
export const requestBindings = (req: Request) => ({ id: req.id, method: req.method, path: pathOf(req.originalUrl) });

export function requestLog(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = `${PREFIX}-${(++counter).toString(36)}`;
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (!logger.isLevelEnabled('info') || isAsset(req.url)) return next();
    const start = performance.now();
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      logger.info(
        { req: requestBindings(req), res: { status: res.statusCode }, responseTime: Math.round(performance.now() - start) },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
