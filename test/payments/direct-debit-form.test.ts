// The direct-debit form's HTML (issue 21: `street-address` is an autofill token for a textarea,
// the Nu HTML checker refuses it on an <input>), read with a real HTML parser.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFamily, createTestContext, loginAs, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

/** Every single-line input's autocomplete token, by field name. */
function inputAutocompletes(html: string): Record<string, string | undefined> {
  const $ = cheerio.load(html);
  const form = $('form[action="/payments/direct-debit"]');
  if (!form.length) throw new Error('no direct-debit form');
  return Object.fromEntries(
    form
      .find('input')
      .toArray()
      .map((e) => [$(e).attr('name') ?? '', $(e).attr('autocomplete')]),
  );
}

it('the mandate form gives the holder address input a token valid on an <input> (address-line1), also when re-shown with errors', async () => {
  const { parent } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const browser = await loginAs(ctx, parent);
  const page = await browser.get('/payments/direct-debit');
  expect(page.status).toBe(200);
  const bad = await browser.post('/payments/direct-debit', {
    holder: '',
    iban: 'FR76',
    bic: '',
    address: '12 rue des Écoles',
    consent: '',
  });
  expect(bad.status).toBe(422);

  for (const html of [page.text, bad.text]) {
    const tokens = inputAutocompletes(html);
    expect(tokens.address).toBe('address-line1');
    expect(tokens.holder).toBe('name');
    expect(Object.values(tokens)).not.toContain('street-address');
  }
});
