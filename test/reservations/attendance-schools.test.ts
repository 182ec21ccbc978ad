// Attendance sheets by service and school (issue 22): an animator sees exactly the children of
// their sites, on a service of several schools too; staff filter a sheet of several schools by
// school; with no service asked, the sheet is the day's open one of the person's first site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import { createAttendanceSheetService } from '../../src/reservations/attendance-sheet.js';
import {
  addReservations,
  createAccount,
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
const DAY = '2026-09-17'; // a Thursday of the school term
const SATURDAY = '2026-09-19';
let A: { id: number; name: string }; // École élémentaire Jules-Ferry (first by name)
let B: { id: number; name: string }; // École maternelle Les Tilleuls
let service: { id: number; name: string };
let ana: number, bob: number, cleo: number;

beforeAll(async () => {
  ctx = await createTestContext({ now: `${DAY}T06:00:00Z` });
  A = (await ctx.db('schools').where({ kind: 'elementary' }).first('id', 'name')) as typeof A;
  B = (await ctx.db('schools').where({ kind: 'nursery' }).first('id', 'name')) as typeof B;
  // Evening care held in each school, one service for both (as the demo town's).
  service = await createService(ctx.deps, { kind: 'after_school', name: 'Soir (deux écoles)' });
  await ctx.db('service_schools').insert([
    { service_id: service.id, school_id: A.id },
    { service_id: service.id, school_id: B.id },
  ]);
  const booked = async (firstName: string, school: 'elementary' | 'nursery', book: boolean) => {
    const { household } = await createFamily(ctx.deps, [{ firstName, lastName: 'Soir', school }]);
    const child = household.children[0]!;
    await createEnrolment(ctx.deps, { childId: child.id, serviceId: service.id, householdId: household.id });
    if (book)
      await addReservations(ctx.deps, {
        serviceId: service.id,
        childId: child.id,
        householdId: household.id,
        days: [DAY],
      });
    return child.id;
  };
  ana = await booked('Ana', 'elementary', true);
  bob = await booked('Bob', 'nursery', true);
  cleo = await booked('Cléo', 'nursery', false);
});
afterAll(async () => ctx?.close());

const sheetUrl = (extra = '') => `/admin/attendance?service=${service.id}&date=${DAY}${extra}`;
const rowIds = ($: cheerio.CheerioAPI) =>
  $('ol.attendance-sheet__list > li')
    .map((_, li) => Number($(li).attr('id')!.replace('child-', '')))
    .get();
const offered = ($: cheerio.CheerioAPI) =>
  $('#child option')
    .map((_, o) => Number($(o).attr('value')))
    .get();
async function open(browser: Browser, url: string) {
  const res = await browser.get(url);
  expect(res.status).toBe(200);
  return cheerio.load(res.text);
}
const mark = (browser: Browser, child: number, status = 'present', school?: string) =>
  browser.post(
    '/admin/attendance',
    {
      service: String(service.id),
      date: DAY,
      child: String(child),
      [`status-${child}`]: status,
      ...(school ? { school } : {}),
    },
    { from: sheetUrl() },
  );

describe('attendance sheets by service and school', () => {
  it('shows an animator of one school exactly its children on a service of two schools, and only those may be marked', async () => {
    const animator = await loginAs(
      ctx,
      await createAccount(ctx.deps, { role: 'animator', schoolIds: [A.id] }),
    );
    const $ = await open(animator, sheetUrl());
    expect(rowIds($)).toEqual([ana]);
    expect($('h1').text()).toContain(A.name);
    expect($('select[name="school"]')).toHaveLength(0); // one school on their sheet: no filter
    expect($('body').text()).not.toContain('Bob');
    expect(offered($)).not.toContain(cleo);
    expect($('body').text()).toContain('1 réservés, 0 présents');

    expect((await mark(animator, ana)).status).toBe(303);
    expect(await ctx.db('attendance').where({ child_id: ana, day: DAY }).first('status')).toEqual({
      status: 'present',
    });
    // A child of the other school, booked or not: not theirs to mark.
    expect((await mark(animator, bob, 'absent')).status).toBe(404);
    expect((await mark(animator, cleo, 'present_unbooked')).status).toBe(404);
    expect(await ctx.db('attendance').whereIn('child_id', [bob, cleo])).toEqual([]);
  });

  it('lets an agent filter a sheet of two schools by school, and keeps the filter after a mark', async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const all = await open(agent, sheetUrl());
    expect(rowIds(all)).toEqual([ana, bob]);
    expect(
      all('select[name="school"] option')
        .map((_, o) => [[all(o).attr('value'), all(o).text()]])
        .get(),
    ).toEqual([
      ['all', 'Toutes les écoles'],
      [String(A.id), A.name],
      [String(B.id), B.name],
    ]);
    expect(all('select[name="school"] option[selected]').attr('value')).toBe('all');

    const onlyB = await open(agent, sheetUrl(`&school=${B.id}`));
    expect(rowIds(onlyB)).toEqual([bob]);
    expect(offered(onlyB)).toEqual([cleo]);
    expect(onlyB('body').text()).toContain('1 réservés, 0 présents');
    expect(onlyB('h1').text()).toContain(B.name);
    expect(onlyB('form.attendance-sheet input[name="school"]').attr('value')).toBe(String(B.id));

    const res = await mark(agent, bob, 'absent_excused', String(B.id));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(sheetUrl(`&school=${B.id}#child-${bob}`));
    // A school that is not on the sheet shows the whole sheet.
    expect(rowIds(await open(agent, sheetUrl('&school=987654')))).toEqual([ana, bob]);
  });

  it("opens an animator of several schools on their first site's children, and on all of them if asked", async () => {
    const animator = await loginAs(
      ctx,
      await createAccount(ctx.deps, { role: 'animator', schoolIds: [B.id, A.id] }),
    );
    const first = await open(animator, sheetUrl());
    expect(first('select[name="school"] option[selected]').attr('value')).toBe(String(A.id));
    expect(rowIds(first)).toEqual([ana]);
    expect(rowIds(await open(animator, sheetUrl('&school=all')))).toEqual([ana, bob]);
  });

  it("opens by default on the day's open sheet of the person's first site, never on a closed one", async () => {
    const held = await createService(ctx.deps, {
      kind: 'before_school',
      name: 'Zz garderie Jules-Ferry', // last by name: chosen for its site, not its name
      site_school_id: A.id,
    });
    const account = await createAccount(ctx.deps, { role: 'animator', schoolIds: [B.id, A.id] });
    const animator = await loginAs(ctx, account);
    const selected = ($: cheerio.CheerioAPI) =>
      Number($('select[name="service"] option[selected]').attr('value'));
    const today = await open(animator, '/admin/attendance');
    expect(selected(today)).toBe(held.id);
    expect(today('h1').text()).toContain('Zz garderie Jules-Ferry');

    // Closed that day: another sheet of that site, open.
    await ctx
      .db('service_day_closures')
      .insert({ service_id: held.id, day: DAY, reason: 'Grève', closed_at: ctx.clock.now() });
    const closed = await open(animator, '/admin/attendance');
    expect(selected(closed)).not.toBe(held.id);
    expect(closed('body').text()).not.toContain('pas ouvert ce jour-là');
    expect(closed('select[name="service"] option[selected]')).toHaveLength(1);

    // Nothing open on a Saturday: no sheet, said so.
    const saturday = await open(animator, `/admin/attendance?date=${SATURDAY}`);
    expect(saturday('body').text()).toContain("Aucun service n'est ouvert ce jour-là");
    expect(saturday('ol.attendance-sheet__list')).toHaveLength(0);

    // The staff home's list: each site's open sheets (the closed one left out).
    const sheets = await createAttendanceSheetService(ctx.deps).openSheets(account, DAY);
    expect(sheets.map((s) => s.site?.id)).toContain(A.id);
    expect(sheets.some((s) => s.service.id === held.id)).toBe(false);
    expect(sheets.find((s) => s.service.id === service.id && s.site?.id === B.id)?.href).toBe(
      `/admin/attendance?service=${service.id}&date=${DAY}&school=${B.id}`,
    );
  });

  it('is for staff only: a parent gets 403, a visitor the login page', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Nina' }]);
    const browser = await loginAs(ctx, parent);
    expect((await browser.get(sheetUrl())).status).toBe(403);
    const visitor = new Browser(ctx.app);
    const res = await visitor.get(sheetUrl());
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });
});
