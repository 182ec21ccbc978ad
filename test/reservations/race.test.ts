// A real race through HTTP: many logged-in parents book the same day of a 10-seat service at once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createService, createTestContext, type TestContext } from '../support/index.js';
import { enrolledFamily, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const PARENTS = 60;
const SEATS = 10;
const DAY = '2026-09-24';

it(`${PARENTS} concurrent parents, ${SEATS} seats: exactly ${SEATS} reservations, the others told "complet" or waiting-listed`, async () => {
  const service = await createService(ctx.deps, { capacity: SEATS });
  const families = [];
  for (let i = 0; i < PARENTS; i++)
    families.push(await enrolledFamily(ctx, {}, [{ firstName: `Enfant${i}` }], service));
  for (const f of families) await f.browser.get('/reservations?month=2026-09'); // each reads its CSRF token from the page

  const started = performance.now();
  const responses = await Promise.all(
    families.map((f, i) =>
      f.browser.post(
        '/reservations',
        { slots: [slot(f.child.id, service.id, DAY)], ...(i % 2 ? { waitlist: '1' } : {}) },
        { csrf: f.browser.token },
      ),
    ),
  );
  const elapsed = performance.now() - started;
  const pages = await Promise.all(families.map((f, i) => f.browser.get(responses[i]!.headers.location!)));

  const errors =
    responses.filter((r) => r.status !== 303).length + pages.filter((p) => p.status !== 200).length;
  const booked = await ctx
    .db('reservations')
    .where({ service_id: service.id, day: DAY, status: 'booked' })
    .count({ n: '*' })
    .first();
  const waiting = await ctx
    .db('reservations')
    .where({ service_id: service.id, day: DAY, status: 'waiting' })
    .count({ n: '*' })
    .first();
  const toldBooked = pages.filter((p) => p.text.includes('>Réservé<')).length;
  const toldFull = pages.filter((p) => p.text.includes('Non réservé : complet')).length;
  const toldWaiting = pages.filter((p) => p.text.includes('Inscrit sur la liste d&#39;attente')).length;
  const counter = await ctx.db('reservation_counters').where({ service_id: service.id, day: DAY }).first();

  console.log(
    `[race] requests=${PARENTS} seats=${SEATS} reservations=${Number(booked?.n)} waiting=${Number(waiting?.n)} full=${toldFull} errors=${errors} time=${Math.round(elapsed)}ms`,
  );
  expect(errors).toBe(0);
  expect(Number(booked?.n)).toBe(SEATS);
  expect(counter.booked).toBe(SEATS);
  expect(toldBooked).toBe(SEATS);
  expect(toldBooked + toldFull + toldWaiting).toBe(PARENTS);
  expect(Number(waiting?.n)).toBe(toldWaiting);
}, 120_000);
