import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, visit, type E2E } from '../support/e2e.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => e2e?.close());

describe('public pages in a real browser', () => {
  it('home page: accessible, French, usable at 360 px', async () => {
    const page = await e2e.newPage({ phone: true });
    await visit(page, '/');
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    // Nothing wider than the screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('404 page is accessible', async () => {
    const page = await e2e.newPage();
    await visit(page, '/page-qui-n-existe-pas', 404);
    await expect(page.locator('h1').textContent()).resolves.toContain('Page introuvable');
  });

  it('accessibility statement and legal pages are accessible', async () => {
    const page = await e2e.newPage();
    await visit(page, '/accessibilite');
    await visit(page, '/donnees-personnelles');
    await visit(page, '/mentions-legales');
    await visit(page, '/login');
  });

  it('the skip link moves focus to the main content', async () => {
    const page = await e2e.newPage();
    await page.goto('/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Aller au contenu');
  });
});
