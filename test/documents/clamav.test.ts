// The ClamAV path, against a real clamd started here with a local signature database holding only
// the EICAR test signature (no freshclam, no network). Skipped, with the reason printed, when
// Debian's clamav-daemon is not installed. The fail-closed path (clamd unreachable) always runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clamavScanner } from '../../src/platform/scanner.js';
import { createFamily, loginAs } from '../support/index.js';
import { EICAR, pdf } from './fixtures/index.js';
import { createDocsContext, type DocsContext } from './helpers.js';

const CLAMD = ['/usr/sbin/clamd', '/usr/bin/clamd'].find((p) => existsSync(p));
const skipReason = CLAMD
  ? ''
  : 'clamd is not installed (apt-get install -y clamav-daemon): the ClamAV tests are skipped';
if (skipReason) console.log(`[documents/clamav] SKIPPED: ${skipReason}`);

let dir = '';
let clamd: ChildProcess | null = null;
let socket = '';

async function startClamd(): Promise<void> {
  dir = mkdtempSync('/var/tmp/pf-clamd-');
  mkdirSync(path.join(dir, 'db'));
  socket = path.join(dir, 'clamd.sock');
  // An .ndb body signature: name:target(0 = any file):offset(* = anywhere):hex of the EICAR string.
  writeFileSync(
    path.join(dir, 'db', 'eicar.ndb'),
    `Eicar-Test-Signature-Local:0:*:${EICAR.toString('hex')}\n`,
  );
  writeFileSync(
    path.join(dir, 'clamd.conf'),
    [
      `LocalSocket ${socket}`,
      `DatabaseDirectory ${path.join(dir, 'db')}`,
      'Foreground yes',
      'StreamMaxLength 12M',
      'MaxThreads 2',
      `TemporaryDirectory ${dir}`,
    ].join('\n') + '\n',
  );
  clamd = spawn(CLAMD!, ['-c', path.join(dir, 'clamd.conf')], { stdio: 'ignore' });
  const started = Date.now();
  while (!existsSync(socket)) {
    if (Date.now() - started > 30_000) throw new Error('clamd did not open its socket within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!CLAMD)('ClamAV over clamd (INSTREAM)', () => {
  let ctx: DocsContext;
  beforeAll(async () => {
    await startClamd();
    ctx = await createDocsContext({ env: { CLAMAV_SOCKET: socket } });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    clamd?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the scanner answers clean and infected', async () => {
    const scanner = clamavScanner(socket);
    expect(await scanner.scan(await pdf())).toEqual({ clean: true });
    expect(await scanner.scan(EICAR)).toEqual({
      clean: false,
      signature: 'Eicar-Test-Signature-Local.UNOFFICIAL',
    });
    // Larger than one 64 KiB chunk.
    expect(await scanner.scan(Buffer.concat([Buffer.alloc(200_000, 0x20), EICAR]))).toMatchObject({
      clean: false,
    });
  });

  it('a PDF carrying the EICAR string is refused, nothing stored; a clean one is accepted', async () => {
    expect(ctx.deps.scanner.name).toBe('clamav');
    const { parent } = await createFamily(ctx.deps);
    const browser = await loginAs(ctx, parent);
    // Uncompressed text stream, so the signature is in the file's bytes and passes the type checks.
    const infected = Buffer.concat([
      Buffer.from(
        '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n3 0 obj << /Length 68 >> stream\n',
      ),
      EICAR,
      Buffer.from('\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    ]);
    const before = await ctx.counts();
    const stored = ctx.storedFiles();
    const res = await browser.upload(
      '/documents',
      { type: 'caf_attestation' },
      [{ content: infected, filename: 'attestation.pdf' }],
      { from: '/documents' },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('contient un virus');
    expect(await ctx.counts()).toEqual(before);
    expect(ctx.storedFiles()).toEqual(stored);
    const ok = await browser.upload(
      '/documents',
      { type: 'caf_attestation' },
      [{ content: await pdf(), filename: 'attestation.pdf' }],
      { from: '/documents' },
    );
    expect(ok.status).toBe(303);
  });
});

describe('when the antivirus cannot be reached', () => {
  let ctx: DocsContext;
  beforeAll(async () => {
    ctx = await createDocsContext({ env: { CLAMAV_SOCKET: '/var/tmp/pf-no-such-clamd.sock' } });
  });
  afterAll(async () => ctx?.close());

  it('uploads are refused (fail closed) with a clear message and nothing stored', async () => {
    const { parent } = await createFamily(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const before = await ctx.counts();
    const stored = ctx.storedFiles();
    const res = await browser.upload(
      '/documents',
      { type: 'caf_attestation' },
      [{ content: await pdf(), filename: 'attestation.pdf' }],
      { from: '/documents' },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('analyse antivirus est momentanément indisponible');
    expect(await ctx.counts()).toEqual(before);
    expect(ctx.storedFiles()).toEqual(stored);
  });
});

// Makes the skip visible in the run's output, not only in the log above.
it.skipIf(!skipReason)(`ClamAV: ${skipReason || 'clamd available'}`, () => {
  expect(spawnSync('true').status).toBe(0);
});
