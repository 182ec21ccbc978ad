// Entry point: config → database (embedded or DATABASE_URL) → migrate → seed (demo) → listen.
import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { startPlatform } from './bootstrap.js';
import { createLogger } from './platform/logger.js';
import { runSeeds } from './platform/seeds.js';
import { createWorker } from './worker.js';

const LISTEN_BACKLOG = 4096;

async function main() {
  const started = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const platform = await startPlatform(config, { logger });
  const { deps } = platform;
  if (config.seedDemo) await runSeeds(deps);
  const worker = config.RUN_WORKER ? createWorker(deps, platform.databaseUrl) : null;
  await worker?.start();
  const app = createApp(deps);
  // Connections waiting to be accepted: Node's 511 overflowed when 1,000 parents clicked at a
  // holiday centre's opening (the kernel dropped the rest, whose browsers retried a second later).
  // The kernel caps it at net.core.somaxconn (4,096 on current kernels).
  const server: Server = createServer(app).listen({ port: config.PORT, backlog: LISTEN_BACKLOG }, () => {
    logger.info(
      { port: config.PORT, url: config.baseUrl, ms: Date.now() - started },
      'Portail Famille is listening',
    );
  });
  server.on('error', async (err: NodeJS.ErrnoException) => {
    logger.fatal(
      { err: err.message },
      err.code === 'EADDRINUSE' ? `port ${config.PORT} is already in use` : 'server error',
    );
    await worker?.stop();
    await app.close();
    await platform.close();
    process.exit(1);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5000).unref();
    await closed;
    await worker?.stop();
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: Error) => {
  console.error(`Portail Famille could not start: ${err.message}`);
  process.exit(1);
});
