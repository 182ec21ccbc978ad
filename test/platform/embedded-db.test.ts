import { mkdtempSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { clusterDirFor, isReachableByOthers, startEmbeddedPostgres } from '../../src/platform/embedded-db.js';
import { createLogger } from '../../src/platform/logger.js';

describe('embedded PostgreSQL folder', () => {
  it('keeps the cluster under DATA_DIR when the postgres user can reach it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pf-open-'));
    chmodSync(dir, 0o755);
    try {
      expect(isReachableByOthers(dir)).toBe(true);
      expect(clusterDirFor(dir).dir).toBe(path.join(dir, 'pg'));
      // once initdb made the cluster folder 0700, the next start still finds it there
      mkdirSync(path.join(dir, 'pg'), { mode: 0o700 });
      expect(clusterDirFor(dir)).toEqual({ dir: path.join(dir, 'pg'), relocated: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves the cluster under /var/tmp when a folder on the way is closed (mktemp -d, /root)', () => {
    const closed = mkdtempSync(path.join(os.tmpdir(), 'pf-closed-')); // mode 0700, like mktemp -d
    const dataDir = path.join(closed, 'repo', '.data');
    mkdirSync(dataDir, { recursive: true });
    try {
      expect(isReachableByOthers(dataDir)).toBe(false);
      const { dir, relocated } = clusterDirFor(dataDir);
      if (process.getuid?.() === 0) {
        expect(relocated).toBe(true);
        expect(dir).toMatch(/^\/var\/tmp\/portail-famille-pg-[0-9a-f]{16}$/);
        expect(clusterDirFor(dataDir).dir).toBe(dir); // stable: the same cluster at every start
      } else {
        expect(relocated).toBe(false); // not root: PostgreSQL runs as us, nothing to move
      }
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it('says clearly when its port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        startEmbeddedPostgres({ dataDir: '/var/tmp/pf-port-test', port, logger: createLogger('silent') }),
      ).rejects.toThrow(/Port \d+ is already in use/);
    } finally {
      blocker.close();
    }
  });
});
