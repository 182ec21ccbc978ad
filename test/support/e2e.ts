// The browser harness: the app on a free port against its own fresh database, Debian's
// chromium driven by playwright-core, and axe (WCAG 2.1 AA) run on every page visited.
import type { Server } from 'node:http';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser as PwBrowser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { freePort } from '../../src/platform/embedded-db.js';
import { createTestContext, type ContextOptions, type TestContext } from './context.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface E2E {
  ctx: TestContext;
  baseUrl: string;
  browser: PwBrowser;
  /** A fresh browser window (own cookies), phone-sized when asked. */
  newPage(opts?: { phone?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export async function startE2E(opts: ContextOptions = {}): Promise<E2E> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const ctx = await createTestContext({ ...opts, env: { BASE_URL: baseUrl, ...opts.env } });
  const server: Server = await new Promise((resolve) => {
    const s = ctx.app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    ctx,
    baseUrl,
    browser,
    async newPage({ phone = false } = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        locale: 'fr-FR',
        viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 900 },
      });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
      await ctx.close();
    },
  };
}

/** Fails the test on any WCAG 2.1 A/AA violation of the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/** Goes to a path, checks the status and that its title names the page (RGAA 8.6), and runs axe on it. */
export async function visit(page: Page, path: string, status = 200): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status(), `status of ${path}`).toBe(status);
  expect(await page.title(), `title of ${path}`).toMatch(/^(?!Portail Famille – ).+ – Portail Famille – /);
  await expectAccessible(page);
}

/** Logs in through the login form (and the second factor when asked), checking each page with axe. */
export async function loginInBrowser(
  page: Page,
  email: string,
  password: string,
  totpCode?: () => string,
): Promise<void> {
  await visit(page, '/login');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  if (totpCode) {
    await page.waitForURL('**/login/code');
    await expectAccessible(page);
    await page.getByLabel('Code de sécurité').fill(totpCode());
    await page.getByRole('button', { name: 'Valider' }).click();
  }
  await page.waitForLoadState('load');
}
