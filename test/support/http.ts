// A user's browser over HTTP: keeps cookies, reads the CSRF token from the page it came from,
// and posts forms with it, as a person would.
import supertest from 'supertest';
import type { App } from '../../src/app.js';
import { authenticator } from 'otplib';

export type Response = supertest.Response;

export function csrfFrom(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1]!;
}

export class Browser {
  readonly agent: ReturnType<typeof supertest.agent>;
  /** The CSRF token of the last page read. */
  token = '';

  constructor(readonly app: App) {
    this.agent = supertest.agent(app);
  }

  async get(path: string): Promise<Response> {
    const res = await this.agent.get(path);
    const m = res.text?.match(/name="_csrf" value="([^"]+)"/);
    if (m) this.token = m[1]!;
    return res;
  }

  /** GETs `from` (default: path) for its CSRF token, then POSTs the form. */
  async post(
    path: string,
    fields: Record<string, string | string[] | number | boolean> = {},
    opts: { from?: string; csrf?: string | null } = {},
  ): Promise<Response> {
    if (opts.csrf === undefined) await this.get(opts.from ?? path);
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? this.token : opts.csrf;
    if (token !== null) body.append('_csrf', token);
    for (const [k, v] of Object.entries(fields)) {
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, String(item));
    }
    return this.agent.post(path).type('form').send(body.toString());
  }

  /** A multipart form: fields then files ({ name, content, filename, contentType? }). */
  async upload(
    path: string,
    fields: Record<string, string>,
    files: { content: Buffer; filename: string; contentType?: string }[],
    opts: { from?: string; csrf?: string | null } = {},
  ): Promise<Response> {
    if (opts.csrf === undefined) await this.get(opts.from ?? path);
    const token = opts.csrf === undefined ? this.token : opts.csrf;
    let req = this.agent.post(path);
    if (token !== null) req = req.field('_csrf', token);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    for (const f of files)
      req = req.attach('file', f.content, {
        filename: f.filename,
        contentType: f.contentType ?? 'application/octet-stream',
      });
    return req;
  }

  /** Logs in with the password, and the TOTP code when the account has a second factor. */
  async login(email: string, password: string, totpSecret?: string | null): Promise<Response> {
    const res = await this.post('/login', { email, password }, { from: '/login' });
    if (res.status === 303 && res.headers.location === '/login/code') {
      if (!totpSecret) throw new Error('this account needs a second factor');
      return this.post('/login/code', { code: authenticator.generate(totpSecret) }, { from: '/login/code' });
    }
    return res;
  }
}
