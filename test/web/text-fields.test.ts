// Issue 21: a NUL byte (or another control character) typed or forged into a text field gave a
// 500. Every text field refuses control characters with a message on the form, names refuse
// invisible and right-to-left characters, and nothing is stored; a bare return path with one
// falls back to a safe page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createFamily,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';
import { enrolledFamily, slot } from '../reservations/helpers.js';
import {
  hasControlCharacters,
  hasInvisibleCharacters,
  multilineText,
  personName,
  text,
} from '../../src/web/text.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const CONTROL_MESSAGE = 'caractères de contrôle invisibles';
const INVISIBLE_MESSAGE = 'inversent le sens de lecture';

const unescape = (html: string) =>
  html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The error summary's links and the message beside a field. */
function errorsOf(html: string, field: string) {
  const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
  return {
    summary: [...summary.matchAll(/<a href="([^"]+)">([\s\S]*?)<\/a>/g)].map(
      (m) => `${m[1]} ${unescape(m[2]!.trim())}`,
    ),
    field: unescape(
      new RegExp(`<p class="field__error" id="${field}-error">([\\s\\S]*?)</p>`).exec(html)?.[1] ?? '',
    ),
  };
}

describe('the helpers', () => {
  it('refuse C0 (but tab and line breaks in multi-line text), DEL and C1 controls', () => {
    for (const c of ['\u0000', '\u0001', '\u001b', '\t', '\n', '\u007f', '\u0085', '\u009f'])
      expect(hasControlCharacters(`a${c}b`)).toBe(true);
    for (const c of ['\t', '\n', '\r']) expect(hasControlCharacters(`a${c}b`, true)).toBe(false);
    expect(hasControlCharacters('a\u0000b', true)).toBe(true);
    expect(hasControlCharacters('Éloïse d’Arc — « ok » ½')).toBe(false);
  });

  it('refuse bidi overrides, isolates and zero-width characters in names', () => {
    for (const c of [
      '\u202a',
      '\u202e',
      '\u2066',
      '\u2069',
      '\u200b',
      '\u200c',
      '\u200d',
      '\u2060',
      '\ufeff',
    ])
      expect(hasInvisibleCharacters(`a${c}b`)).toBe(true);
    expect(hasInvisibleCharacters('Nguyễn Thị Ánh')).toBe(false);
    expect(personName().safeParse('Jean\u202eNAJ').error?.issues[0]?.message).toBe(
      'errors.invisibleCharacters',
    );
    expect(text().trim().max(3).safeParse('a\u0000bcdef').error?.issues[0]?.message).toBe(
      'errors.controlCharacters',
    );
    expect(multilineText().safeParse('ligne 1\r\nligne 2').success).toBe(true);
  });
});

describe('a NUL byte in a form is a message on the form, not a 500', () => {
  it('in the account name: 400 with the message beside the field, nothing changed', async () => {
    const parent = await createAccount(ctx.deps, { firstName: 'Jean', lastName: 'Dupont' });
    const browser = await loginAs(ctx, parent);
    const res = await browser.post('/account/name', { first_name: 'Je\u0000an', last_name: 'Nouveau' });
    expect([400, 422]).toContain(res.status);
    const errors = errorsOf(res.text, 'first_name');
    expect(errors.field).toContain(CONTROL_MESSAGE);
    expect(errors.summary.join(' ')).toContain('#first_name');
    expect(res.text).toContain('value="Nouveau"');
    expect(await ctx.db('accounts').where({ id: parent.id }).first()).toMatchObject({
      first_name: 'Jean',
      last_name: 'Dupont',
    });
  });

  it('in a child first name: 422, nothing stored; a right-to-left override too', async () => {
    const { parent, household } = await createFamily(ctx.deps, []);
    const browser = await loginAs(ctx, parent);
    const school = String((await ctx.db('schools').first('id')).id);
    const fields = {
      kind: 'child',
      first_name: 'Éloïse',
      last_name: 'Durand',
      birth_date: '2019-04-02',
      sex: 'F',
      school_id: school,
      class_level: '',
      diet: 'none',
    };
    const members = () => ctx.db('household_members').where({ household_id: household.id });
    const before = (await members()).length;
    for (const [first_name, message] of [
      ['Élo\u0000ïse', CONTROL_MESSAGE],
      ['Élo\u001bïse', CONTROL_MESSAGE],
      ['Éloïse\u202eexe.', INVISIBLE_MESSAGE],
      ['Élo\u200bïse', INVISIBLE_MESSAGE],
    ]) {
      const res = await browser.post(
        '/household/members',
        { ...fields, first_name: first_name! },
        { from: '/household/members/new?kind=child' },
      );
      expect(res.status).toBe(422);
      expect(errorsOf(res.text, 'first_name').field).toContain(message);
      expect(res.text).toContain('value="Durand"');
    }
    // A NUL in a one-line field other than a name (allergies) is refused too.
    const allergies = await browser.post(
      '/household/members',
      { ...fields, allergies: 'arachide\u0000' },
      { from: '/household/members/new?kind=child' },
    );
    expect(allergies.status).toBe(422);
    expect(errorsOf(allergies.text, 'allergies').field).toContain(CONTROL_MESSAGE);
    expect((await members()).length).toBe(before);
  });

  it('in the direct-debit mandate holder: 422, no mandate', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const browser = await loginAs(ctx, parent);
    const valid = {
      holder: 'Camille Martin',
      iban: 'FR76 3000 6000 0112 3456 7890 189',
      bic: 'AGRIFRPP',
      address: '12 rue des Écoles, 49999 Saint-Exemple',
      consent: 'yes',
    };
    for (const [holder, message] of [
      ['Camille\u0000Martin', CONTROL_MESSAGE],
      ['Camille \u2066Martin\u2069', INVISIBLE_MESSAGE],
    ]) {
      const res = await browser.post('/payments/direct-debit', { ...valid, holder: holder! });
      expect(res.status).toBe(422);
      expect(errorsOf(res.text, 'holder').field).toContain(message);
      expect(res.text).toContain('value="12 rue des Écoles, 49999 Saint-Exemple"');
    }
    const address = await browser.post('/payments/direct-debit', {
      ...valid,
      address: '12 rue\u0000 des Écoles',
    });
    expect(address.status).toBe(422);
    expect(errorsOf(address.text, 'address').field).toContain(CONTROL_MESSAGE);
    expect(await ctx.db('sepa_mandates').where({ household_id: household.id })).toHaveLength(0);
  });

  it('in the sign-up form: refused with the message, no account', async () => {
    const { Browser } = await import('../support/index.js');
    const visitor = new Browser(ctx.app);
    const email = 'nul-signup@example.test';
    const res = await visitor.post(
      '/signup',
      {
        first_name: 'A\u0000',
        last_name: 'B',
        email,
        password: 'Un-mot-de-passe-2026!',
        password_confirm: 'Un-mot-de-passe-2026!',
        accept_notice: 'on',
      },
      { from: '/signup' },
    );
    expect([400, 422]).toContain(res.status);
    expect(errorsOf(res.text, 'first_name').field).toContain(CONTROL_MESSAGE);
    expect(await ctx.db('accounts').where({ email })).toHaveLength(0);
  });

  it('in the login email: a plain refusal, no 500', async () => {
    const { parent } = await createFamily(ctx.deps, []);
    void parent;
    const { Browser } = await import('../support/index.js');
    const visitor = new Browser(ctx.app);
    const res = await visitor.post(
      '/login',
      { email: 'a\u0000@example.test', password: 'whatever-2026' },
      { from: '/login' },
    );
    expect(res.status).toBeLessThan(500);
  });
});

describe('a NUL byte in a staff search is not looked up', () => {
  it("the desk tools' family search with a NUL", async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get('/admin/enrolments/new')).status).toBe(200);
    const found = await agent.get('/admin/families/find?for=enrol&q=SE%00');
    expect(found.status).toBe(422);
    expect(errorsOf(found.text, 'q').field).toContain(CONTROL_MESSAGE);
  });
});

describe('a NUL byte in a return path is never followed', () => {
  it('GET /login?next= with a NUL shows the login page', async () => {
    const { Browser } = await import('../support/index.js');
    const res = await new Browser(ctx.app).get('/login?next=%2Fdocuments%00');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('%00');
  });

  it('GET /documents?return_to= with a NUL shows the page without it', async () => {
    const { parent } = await createFamily(ctx.deps, []);
    const browser = await loginAs(ctx, parent);
    const res = await browser.get('/documents?return_to=%2Fenrolments%00x');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('name="return_to"');
  });

  it('a booking posted with a NUL in return_to is made, and the parent goes back to the calendar', async () => {
    const { browser, service, child } = await enrolledFamily(ctx);
    const res = await browser.post(
      '/reservations',
      { slots: slot(child.id, service.id, '2026-09-21'), return_to: '/reservations?month=2026-09\u0000' },
      { from: '/reservations' },
    );
    expect(res.status).toBe(303);
    const result = await browser.get(res.headers.location!);
    expect(result.status).toBe(200);
    expect(result.text).not.toContain('%00');
    expect(result.text).not.toContain('\u0000');
    expect(
      await ctx.db('reservations').where({ child_id: child.id, day: '2026-09-21', status: 'booked' }),
    ).toHaveLength(1);
  });
});
