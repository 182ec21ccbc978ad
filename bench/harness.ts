// Starts the compiled app in production mode on the bench database, logs people in like a
// browser does, and measures one scenario with autocannon (p50/p95/p99 from every response).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { authenticator } from 'otplib';
import { freePort } from '../src/platform/embedded-db.js';
import { arg } from './lib.js';

export interface AppProcess {
  baseUrl: string;
  child: ChildProcess;
  /** The app's processes: the one started, and its workers with `processes` > 1. */
  pids(): number[];
  /** Peak resident memory of the app so far (VmHWM), in MB: with several processes, the sum of their peaks. */
  peakRssMb(): number;
  /** Starts a new peak (Linux: clear_refs 5 resets VmHWM); false where the kernel does not allow it. */
  resetPeakRss(): boolean;
  stop(): Promise<void>;
}

/** The node flags of the production image's command (Dockerfile CMD), so that the bench measures the app as deployed. */
export function productionNodeFlags(): string[] {
  const cmd = readFileSync('Dockerfile', 'utf8').match(/^CMD (\[.*\])\s*$/m);
  if (!cmd) throw new Error('no CMD line in the Dockerfile');
  const argv = JSON.parse(cmd[1]!) as string[];
  return argv.slice(1, argv.indexOf('dist/src/server.js'));
}

/** What `--processes N` (N > 1) loads: the app in N node:cluster workers sharing one port. */
const CLUSTER = fileURLToPath(new URL('./cluster.mjs', import.meta.url));

/** Where `--cpu-prof` leaves the app's V8 profile (open it in Chrome DevTools or speedscope). */
export const PROFILE_DIR = path.join(os.tmpdir(), 'pf-bench-profiles');

/** The load and rush benches' options for the app: `--cpu-prof`, and `--processes N` (node:cluster, bench/cluster.mjs; CPU and peak RSS are their sums). */
export const APP_ARGS = { cpuProf: process.argv.includes('--cpu-prof'), processes: Number(arg('processes', '1')) };

/** The app as the command line asks (APP_ARGS). */
export const startBenchApp = (databaseUrl: string) => startApp(databaseUrl, {}, APP_ARGS.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [], APP_ARGS.processes);

/** The processes whose parent is `pid` (the cluster's workers). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && statFields(entry)?.[1] === String(pid))
    .map(Number);
}

export async function startApp(databaseUrl: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = [], processes = 1): Promise<AppProcess> {
  const port = await freePort();
  const cluster = processes > 1 ? [`--import=${CLUSTER}`] : [];
  const child = spawn(process.execPath, [...productionNodeFlags(), ...nodeArgs, ...cluster, 'dist/src/server.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      BASE_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
      RUN_WORKER: 'false',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'loopback',
      BENCH_BASELINE: 'true',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
      RATE_LIMIT_LOGIN_PER_IP: '100000',
      BENCH_PROCESSES: String(processes),
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the app did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const pids = () => (processes > 1 ? childrenOf(child.pid!) : [child.pid!]);
  return {
    baseUrl,
    child,
    pids,
    peakRssMb() {
      let kb = 0;
      for (const pid of pids()) {
        try {
          kb += Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
        } catch {
          // the process ended meanwhile
        }
      }
      return Math.round(kb / 1024);
    },
    resetPeakRss() {
      try {
        for (const pid of pids()) writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process ended meanwhile
  }
}
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) of one process; with `children`, also that of its children that ended. */
function processCpuMs(pid: number | string, children = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime are the 14th to 17th fields of the line (11 to 14 here).
  const own = Number(f[11]) + Number(f[12]);
  return (children ? own + Number(f[13]) + Number(f[14]) : own) * TICK_MS;
}

/**
 * CPU used so far by the app's processes (`AppProcess.pids()`) and by the bench database's
 * PostgreSQL (its postmaster, the backends that ended and the live ones), in ms. Without the
 * postmaster's pid (a server that is not ours), every PostgreSQL process of the machine is counted.
 */
export function cpuSnapshot(appPids: number[], postmasterPid: number | null): { app: number; pg: number } {
  let pg = postmasterPid ? processCpuMs(postmasterPid, true) : 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (postmasterPid) {
      if (statFields(entry)?.[1] === String(postmasterPid)) pg += processCpuMs(entry);
    } else {
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pg += processCpuMs(entry);
      } catch {
        // the process ended meanwhile
      }
    }
  }
  return { app: appPids.reduce((ms, pid) => ms + processCpuMs(pid), 0), pg };
}

/** Headers that make the production app (secure cookies behind a proxy) accept plain HTTP on loopback. */
export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' };

export class Session {
  cookie = '';
  constructor(readonly baseUrl: string) {}

  private remember(res: Response) {
    const set = res.headers.getSetCookie?.() ?? [];
    for (const c of set) {
      const pair = c.split(';')[0]!;
      if (pair.startsWith('pf.sid=')) this.cookie = pair;
    }
  }

  async get(path: string): Promise<{ status: number; text: string; location: string | null }> {
    const res = await fetch(this.baseUrl + path, { headers: { cookie: this.cookie, ...PROXY_HEADERS }, redirect: 'manual' });
    this.remember(res);
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  }

  async csrf(path: string): Promise<string> {
    const { text } = await this.get(path);
    const m = text.match(/name="_csrf" value="([^"]+)"/);
    if (!m) throw new Error(`no CSRF token on ${path}`);
    return m[1]!;
  }

  async post(path: string, fields: Record<string, string | string[]>, from = path): Promise<{ status: number; text: string; location: string | null }> {
    const body = new URLSearchParams();
    body.append('_csrf', await this.csrf(from));
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const res = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', ...PROXY_HEADERS },
      body: body.toString(),
      redirect: 'manual',
    });
    this.remember(res);
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  }

  async login(email: string, password: string, totpSecret?: string): Promise<this> {
    const res = await this.post('/login', { email, password }, '/login');
    if (res.status === 303 && res.location === '/login/code') {
      let code = await this.post('/login/code', { code: authenticator.generate(totpSecret ?? '') }, '/login/code');
      if (code.status !== 303) {
        // A code logs in once (replay refused): a run started within 30 s of the last one waits for the next code, like the agent would.
        await new Promise((r) => setTimeout(r, authenticator.timeRemaining() * 1000 + 500));
        code = await this.post('/login/code', { code: authenticator.generate(totpSecret ?? '') }, '/login/code');
      }
      if (code.status !== 303) throw new Error(`second factor refused for ${email}`);
    } else if (res.status !== 303) {
      throw new Error(`login failed for ${email}: ${res.status}`);
    }
    return this;
  }
}

export interface ScenarioResult {
  scenario: string;
  connections: number;
  requestsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  total: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs autocannon; a response counts as an error when its status is 400 or more (3xx are normal answers). */
export async function measure(
  name: string,
  opts: { url: string; connections: number; duration: number; headers?: Record<string, string>; requests?: Parameters<typeof autocannon>[0]['requests']; method?: string; body?: string },
): Promise<ScenarioResult> {
  const latencies: number[] = [];
  let errors = 0;
  const instance = autocannon({ ...opts, headers: { ...PROXY_HEADERS, ...opts.headers }, timeout: 10 });
  instance.on('response', (_client: unknown, status: number, _bytes: number, time: number) => {
    latencies.push(time);
    if (status >= 400) errors++;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    scenario: name,
    connections: opts.connections,
    requestsPerSec: Math.round(result.requests.average),
    p50: Math.round(percentile(latencies, 50) * 10) / 10,
    p95: Math.round(percentile(latencies, 95) * 10) / 10,
    p99: Math.round(percentile(latencies, 99) * 10) / 10,
    errors: errors + result.errors + result.timeouts,
    total: latencies.length,
  };
}
