// Starts the app as the Dockerfile does (compiled, production mode, its node flags) or the bench's
// own baseline server, logs people in like a browser does, and drives traffic with autocannon.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { authenticator } from 'otplib';
import { ROOT, ensureBuilt, flag, percentile, round } from './lib.js';

export interface AppProcess {
  baseUrl: string;
  child: ChildProcess;
  pid: number;
  /** Peak resident memory since the last reset (VmHWM), in MB. */
  peakRssMb(): number;
  /** Starts a new peak (Linux: clear_refs 5 resets VmHWM). */
  resetPeakRss(): void;
  stop(): Promise<void>;
}

/** The node flags of the production image's command (Dockerfile CMD). */
function productionNodeFlags(): string[] {
  const cmd = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').match(/^CMD (\[.*\])\s*$/m);
  if (!cmd) throw new Error('no CMD line in the Dockerfile');
  const argv = JSON.parse(cmd[1]!) as string[];
  return argv.slice(1, argv.indexOf('dist/src/server.js'));
}

/** Where `--cpu-prof` leaves the app's V8 profile (open it in Chrome DevTools or speedscope). */
const PROFILE_DIR = path.join(os.tmpdir(), 'pf-bench-profiles');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function startProcess(args: string[], env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), BASE_URL: baseUrl, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`${args.at(-1)} did not start`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  return {
    baseUrl,
    child,
    pid,
    peakRssMb() {
      const kb = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
      return Math.round(kb / 1024);
    },
    resetPeakRss() {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * The app as deployed: compiled, NODE_ENV=production, the Dockerfile's node flags, behind a
 * loopback "proxy" (PROXY_HEADERS) so secure cookies work; no job runner (the bench's own clock).
 * `--cpu-prof` leaves a V8 profile in PROFILE_DIR.
 */
export function startBenchApp(databaseUrl: string): Promise<AppProcess> {
  ensureBuilt();
  const profile = flag('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  return startProcess([...productionNodeFlags(), ...profile, 'dist/src/server.js'], {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
    RUN_WORKER: 'false',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'loopback',
    // A town's settings (production refuses to start without them); nothing is sent from here.
    SMTP_URL: 'smtp://127.0.0.1:2525',
    PAYFIP_URL: 'https://payfip.bench.invalid/',
    PAYFIP_NUMCLI: '424242',
    PAYFIP_SAISIE: 'T',
    SEPA_CREDITOR_ID: 'FR12ZZZ654321',
    SEPA_CREDITOR_NAME: 'REGIE BENCH',
    SEPA_CREDITOR_IBAN: 'FR1420041010050500013M02606',
    SEPA_CREDITOR_BIC: 'PSSTFRPPPAR',
    // The public address production wants (the bench reaches the app on loopback meanwhile).
    BASE_URL: 'https://portail.bench.invalid',
    // The bench logs hundreds of parents in from one address in a few seconds.
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
  });
}

/** The reference server (bench/baseline.ts): Express, one query, one tiny template, no session; run like the app. */
export function startBaseline(databaseUrl: string): Promise<AppProcess> {
  return startProcess([...productionNodeFlags(), '--import', 'tsx', 'bench/baseline.ts'], {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
  });
}

/** Headers that make the production app (secure cookies behind a proxy) accept plain HTTP on loopback. */
const PROXY_HEADERS = { 'x-forwarded-proto': 'https' };

interface HttpAnswer {
  status: number;
  location: string | null;
  text: string;
  setCookies: string[];
}

/** One HTTP exchange with node:http (cheaper than fetch for the client sharing the cores, and no timeout). */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent },
): Promise<HttpAnswer> {
  const headers =
    opts.body === undefined
      ? opts.headers
      : { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.body)) };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location ?? null,
          text: Buffer.concat(chunks).toString('utf8'),
          setCookies: res.headers['set-cookie'] ?? [],
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A browser's session: its cookies, its CSRF token, its logins (with the second factor for staff). */
export class Session {
  private cookies = new Map<string, string>();
  csrfToken = '';
  constructor(
    readonly baseUrl: string,
    readonly agent?: http.Agent,
  ) {}

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Headers a request of this session carries (for autocannon). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...PROXY_HEADERS, cookie: this.cookie, ...extra };
  }

  async send(method: string, path: string, fields?: Record<string, string | string[]>): Promise<HttpAnswer> {
    let body: string | undefined;
    if (fields) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(fields))
        for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
      body = form.toString();
    }
    const res = await httpRequest(this.baseUrl + path, {
      method,
      body,
      agent: this.agent,
      headers: this.headers(
        body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      ),
    });
    for (const c of res.setCookies) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  get = (path: string) => this.send('GET', path);

  /** Reads the CSRF token of a page's form, as the browser has it. */
  async csrf(path: string): Promise<string> {
    const { text, status } = await this.get(path);
    const m = text.match(/name="_csrf" value="([^"]+)"/);
    if (!m) throw new Error(`no CSRF token on ${path} (HTTP ${status})`);
    this.csrfToken = m[1]!;
    return this.csrfToken;
  }

  /** GET the form page for its token, then POST it. */
  async post(path: string, fields: Record<string, string | string[]>, from = path): Promise<HttpAnswer> {
    return this.send('POST', path, { _csrf: await this.csrf(from), ...fields });
  }

  async login(email: string, password: string, totpSecret?: string): Promise<this> {
    const res = await this.post('/login', { email, password }, '/login');
    if (res.status < 300 || res.status >= 400 || res.location?.startsWith('/login?'))
      throw new Error(`login failed for ${email}: HTTP ${res.status}`);
    if (res.location?.startsWith('/login/code')) {
      const sendCode = () =>
        this.post('/login/code', { code: authenticator.generate(totpSecret ?? '') }, '/login/code');
      let code = await sendCode();
      if (code.status !== 303) {
        // A code logs in once (replay refused): wait for the next one, as the agent would.
        await new Promise((r) => setTimeout(r, authenticator.timeRemaining() * 1000 + 500));
        code = await sendCode();
      }
      if (code.status !== 303) throw new Error(`second factor refused for ${email}`);
    }
    return this;
  }
}

type CannonRequest = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number];

/** A kind of request: its name, the status that means it worked, and how to build the next one. */
export interface Page {
  name: string;
  expect: number;
  next(): CannonRequest;
}

interface Tally {
  page: string;
  requests: number;
  errors: number;
  /** Answers by status, and autocannon's connection errors and timeouts. */
  answers: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
}

/** A lane: one autocannon instance sending one kind of request. */
export interface Lane {
  page: Page;
  /** Its connections (1 by default). */
  connections?: number;
  /** With a rate, each connection sends one request a second (autocannon's `overallRate`); without, one after the other. */
  rated?: boolean;
}

/**
 * Drives every lane at once for `duration` seconds. A rated lane's connections each send one request
 * a second; an unrated lane's connections send the next request as soon as the answer came (a closed
 * loop: a member of staff clicking again as soon as the page is shown). Lanes start `staggerMs`
 * apart, so that rated lanes spread their requests over the second instead of all arriving on its
 * tick. Returns the tally of each page and of all of them.
 */
export async function runLanes(
  baseUrl: string,
  lanes: Lane[],
  duration: number,
  staggerMs = 0,
): Promise<{ all: Tally; pages: Tally[] }> {
  const latencies = new Map<string, number[]>();
  const answers = new Map<string, Record<string, number>>();
  const count = (page: string, key: string) => {
    const a = answers.get(page) ?? {};
    a[key] = (a[key] ?? 0) + 1;
    answers.set(page, a);
  };
  await Promise.all(
    lanes.map(async ({ page, connections = 1, rated = false }, i) => {
      await new Promise((r) => setTimeout(r, i * staggerMs));
      const instance = autocannon({
        url: baseUrl,
        connections,
        duration,
        timeout: 10,
        overallRate: rated ? connections : undefined,
        requests: [{ setupRequest: () => page.next() }],
      });
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        const list = latencies.get(page.name) ?? [];
        list.push(ms);
        latencies.set(page.name, list);
        count(page.name, String(status));
      });
      const result = await instance;
      for (let n = 0; n < result.errors; n++) count(page.name, 'connection error');
      for (let n = 0; n < result.timeouts; n++) count(page.name, 'timeout');
    }),
  );
  const expected = new Map(lanes.map((l) => [l.page.name, String(l.page.expect)]));
  const tally = (page: string, lists: number[][], byStatus: Record<string, number>[]): Tally => {
    const sorted = lists.flat().sort((a, b) => a - b);
    const merged: Record<string, number> = {};
    for (const a of byStatus) for (const [k, v] of Object.entries(a)) merged[k] = (merged[k] ?? 0) + v;
    const ok =
      page === 'all'
        ? [...expected.keys()].reduce((n, p) => n + (answers.get(p)?.[expected.get(p)!] ?? 0), 0)
        : (merged[expected.get(page)!] ?? 0);
    const requests = Object.values(merged).reduce((a, b) => a + b, 0);
    return {
      page,
      requests,
      errors: requests - ok,
      answers: merged,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    };
  };
  const names = [...expected.keys()];
  return {
    all: tally(
      'all',
      names.map((n) => latencies.get(n) ?? []),
      names.map((n) => answers.get(n) ?? {}),
    ),
    pages: names.map((n) => tally(n, [latencies.get(n) ?? []], [answers.get(n) ?? {}])),
  };
}

/** A page that GETs the path `next` gives, with the cookies of the session it gives. */
export const getPage = (name: string, next: () => [Session, string]): Page => ({
  name,
  expect: 200,
  next() {
    const [session, path] = next();
    return { method: 'GET', path, headers: session.headers() };
  },
});

/** Prints one line per page of a run. */
export function printTallies(tallies: Tally[], duration: number): void {
  console.table(
    tallies.map((t) => ({
      page: t.page,
      requests: t.requests,
      'req/s': round(t.requests / duration),
      'p50 ms': t.p50,
      'p95 ms': t.p95,
      'p99 ms': t.p99,
      errors: t.errors,
      answers: Object.entries(t.answers)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    })),
  );
}
