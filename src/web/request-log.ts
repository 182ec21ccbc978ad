// One log line per request through pino-http, and its id in X-Request-Id (what a person quotes to
// the help desk). No personal data: the method, the path without its query (which may carry an
// email, a search, a token), the status and the time; no headers, cookies or bodies. A server
// error's line also has the error.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../platform/logger.js';

const ASSETS = ['/css/', '/js/', '/img/'];

/** The path without its query string. */
const pathOf = (url: string | undefined) => (url ?? '').split('?', 1)[0]!;

/** The request as it appears in a line (the request log's, and any logged with req.log). */
const requestFields = (req: IncomingMessage & { originalUrl?: string }) => ({
  id: req.id,
  method: req.method,
  path: pathOf(req.originalUrl ?? req.url),
});

export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req, res) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Given the requests themselves, not pino-http's serialized copies (which hold headers).
    wrapSerializers: false,
    serializers: {
      req: requestFields,
      res: (res: ServerResponse) => ({ status: res.statusCode }),
    },
    autoLogging: { ignore: (req) => ASSETS.some((dir) => (req.url ?? '').startsWith(dir)) },
    // A server error is logged with the request's line, at error level (the error handler puts it in res.err).
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
  });
}
