// Entry point: config → database (embedded or DATABASE_URL) → migrate → seed (demo) → listen.
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { startPlatform } from './platform/bootstrap.js';
import { createLogger } from './platform/logger.js';
import { runSeeds } from './platform/seeds.js';
import { createWorker } from './platform/worker.js';

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
  const server: Server = app.listen(config.PORT, () => {
    logger.info({ port: config.PORT, url: config.baseUrl, ms: Date.now() - started }, 'Portail Famille is listening');
  });
  server.on('error', async (err: NodeJS.ErrnoException) => {
    logger.fatal({ err: err.message }, err.code === 'EADDRINUSE' ? `port ${config.PORT} is already in use` : 'server error');
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
