// Shared by the document tests: a context whose storage lives in its own folder, so that "nothing
// stored" can be checked by listing it.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTestContext, type ContextOptions, type TestContext } from '../support/index.js';

export interface DocsContext extends TestContext {
  filesDir: string;
  /** Every file under DATA_DIR/files (temporary files included). */
  storedFiles(): string[];
  /** Rows in documents and document_files. */
  counts(): Promise<{ documents: number; files: number }>;
}

export async function createDocsContext(opts: ContextOptions = {}): Promise<DocsContext> {
  const dataDir = mkdtempSync('/var/tmp/pf-documents-test-');
  const ctx = await createTestContext({ ...opts, env: { DATA_DIR: dataDir, ...opts.env } });
  const filesDir = path.join(dataDir, 'files');
  const list = (dir: string): string[] => {
    let out: string[] = [];
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return [];
    }
    for (const e of entries) {
      const full = path.join(dir, e);
      out = statSync(full).isDirectory() ? [...out, ...list(full)] : [...out, full];
    }
    return out;
  };
  return {
    ...ctx,
    filesDir,
    storedFiles: () => list(filesDir),
    async counts() {
      const [{ d }] = (await ctx.db('documents').count({ d: '*' })) as [{ d: number }];
      const [{ f }] = (await ctx.db('document_files').count({ f: '*' })) as [{ f: number }];
      return { documents: Number(d), files: Number(f) };
    },
    async close() {
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
