// npx tsx bench/trigger-cost.ts [--households 3000] [--batch 1]
// What the stored estimate's triggers (migration 20261206090000) add to a one-row booking: the
// backend's own CPU per INSERT into reservations, one booking for each of N households, with the
// triggers firing and with them off (session_replication_role = replica), twice each, alternating;
// every insert is rolled back. CPU from /proc (10 ms ticks: use thousands of rows).
import { migrateLatest } from '../src/platform/db.js';
import { arg, backendCpuMs, openBench } from './lib.js';

const N = Number(arg('households', '3000'));
/** Bookings per INSERT statement (the rush decides its requests in batches of up to a few hundred). */
const BATCH = Number(arg('batch', '1'));

class RollBack extends Error {}

const bench = await openBench();
const { db } = bench;
try {
  await migrateLatest(db);
  const { rows } = (await db.raw(
    `SELECT DISTINCT ON (r.household_id) r.service_id, r.child_id, r.household_id FROM reservations r
      WHERE r.status = 'booked' ORDER BY r.household_id LIMIT ?`,
    [N],
  )) as { rows: { service_id: number; child_id: number; household_id: number }[] };
  for (const triggers of ['on', 'off', 'on', 'off']) {
    await db
      .transaction(async (tx) => {
        const pid = (await tx.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
        if (triggers === 'off') await tx.raw('SET LOCAL session_replication_role = replica');
        const cpu0 = backendCpuMs(pid);
        const t0 = performance.now();
        for (let i = 0; i < rows.length; i += BATCH) {
          const part = rows.slice(i, i + BATCH);
          await tx.raw(
            `INSERT INTO reservations (service_id, child_id, household_id, day, status, created_at)
             SELECT s, c, h, '2030-01-02', 'booked', now() FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS r(s, c, h)`,
            [part.map((r) => r.service_id), part.map((r) => r.child_id), part.map((r) => r.household_id)],
          );
        }
        const cpu = (backendCpuMs(pid) - cpu0) / rows.length;
        console.log(`triggers ${triggers.padEnd(3)}  backend CPU ${cpu.toFixed(3)} ms per insert, wall ${((performance.now() - t0) / rows.length).toFixed(3)} ms`);
        throw new RollBack();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RollBack)) throw err;
      });
  }
} finally {
  await bench.close();
}
