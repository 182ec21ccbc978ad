// npm run bench:data -- --households 5000
// Builds a separate database holding a believable town with set-based SQL (generate_series,
// INSERT … SELECT), the big tables' secondary indexes dropped during the load and rebuilt after.
import pg from 'pg';
import { hash } from '@node-rs/argon2';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { systemClock } from '../src/platform/clock.js';
import { createDb, migrateLatest } from '../src/platform/db.js';
import { createLogger } from '../src/platform/logger.js';
import { runSeeds } from '../src/platform/seeds.js';
import { BENCH_DB, BENCH_PASSWORD, arg, benchDatabaseUrl, benchServer } from './lib.js';

const HOUSEHOLDS = Number(arg('households', '5000'));
const BIG_TABLES = ['reservations', 'attendance', 'invoice_lines', 'invoices', 'payments', 'members', 'household_members', 'enrolments', 'documents'];

async function main() {
  const started = Date.now();
  const step = (label: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${label}`);
  const { serverUrl, embedded } = await benchServer();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  await admin.end();
  const url = benchDatabaseUrl(serverUrl);
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: url, LOG_LEVEL: 'warn' });
  // The seeds use a normal pool (they read outside their transactions).
  const seedDb = createDb(url);
  await migrateLatest(seedDb);
  const deps = createDeps({ config, db: seedDb, logger: createLogger('warn'), clock: systemClock, mailer: null, sessionSecret: 'x'.repeat(40) });
  await runSeeds(deps); // the town, its schools, streets and calendar, the demo staff and families
  await seedDb.destroy();
  step('schema and base seeds');
  // The bulk load: one connection, so that the session settings below (no FK triggers) apply to every statement.
  const db = createDb(url, 1);

  const passwordHash = await hash(BENCH_PASSWORD, { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_ITERATIONS, parallelism: 1 });

  // Indexes other than primary keys of the big tables: dropped now, rebuilt after the load.
  const { rows: indexes } = await db.raw(
    `SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public' AND tablename = ANY(?)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [BIG_TABLES],
  );
  for (const i of indexes as { indexname: string }[]) await db.raw(`DROP INDEX "${i.indexname}"`);

  const sql = (text: string, bindings: unknown[] = []) => db.raw(text, bindings as never[]);
  await sql(`SET synchronous_commit = off`);
  // Bulk load: foreign-key triggers off for this session (the data is generated consistent), as pg_restore does.
  await sql(`SET session_replication_role = replica`);
  await sql(`SET maintenance_work_mem = '512MB'`);

  // Seven more schools: ten in all.
  await sql(`INSERT INTO schools (name, kind, is_public, runs_own_canteen, address, class_levels)
    SELECT 'École ' || k || ' ' || n, k, true, false, n || ' rue des Écoles, 49999 Saint-Exemple',
      CASE WHEN k = 'nursery' THEN '{PS,MS,GS}'::text[] ELSE '{CP,CE1,CE2,CM1,CM2}'::text[] END
    FROM (VALUES ('elementary', 'Pasteur'), ('elementary', 'Curie'), ('elementary', 'Hugo'), ('elementary', 'Zola'),
                 ('elementary', 'Prévert'), ('nursery', 'Les Lilas'), ('nursery', 'Les Pins')) v(k, n)
    ON CONFLICT (name) DO NOTHING`);

  // Services of the year: one canteen, morning care, Wednesday and holiday centres, and evening care per school.
  await sql(`INSERT INTO services (school_year_id, kind, name, description, opening_days, weekdays, needs_validation, unit, billing_basis, booking_deadline, cancel_deadline, capacity, site_school_id)
    SELECT '2026-2027', 'after_school', 'Bench – accueil du soir – ' || s.name, 'Accueil du soir', 'school_days', '{1,2,4,5}', false, 'session', 'bookings',
      '{"kind":"calendar_days","days":1,"time":"18:00"}', '{"kind":"calendar_days","days":1,"time":"18:00"}', 400, s.id
    FROM schools s WHERE s.is_public`);
  await sql(`INSERT INTO services (school_year_id, kind, name, description, opening_days, weekdays, needs_validation, unit, billing_basis, booking_deadline, cancel_deadline, capacity, booking_opens_at)
    VALUES ('2026-2027', 'canteen', 'Bench – restauration scolaire', 'Repas du midi', 'school_days', '{1,2,4,5}', false, 'meal', 'bookings', '{"kind":"working_days","days":2,"time":"10:00"}', '{"kind":"working_days","days":2,"time":"10:00"}', NULL, NULL),
           ('2026-2027', 'before_school', 'Bench – accueil du matin', 'Accueil du matin', 'school_days', '{1,2,4,5}', false, 'session', 'bookings', '{"kind":"calendar_days","days":1,"time":"18:00"}', '{"kind":"calendar_days","days":1,"time":"18:00"}', NULL, NULL),
           ('2026-2027', 'wednesday', 'Bench – mercredis loisirs', 'Accueil de loisirs du mercredi', 'wednesdays', '{3}', false, 'day', 'bookings', '{"kind":"week_before","weekday":4,"time":"12:00"}', '{"kind":"week_before","weekday":4,"time":"12:00"}', 200, NULL),
           ('2026-2027', 'holiday', 'Bench – centre de loisirs des vacances', 'Vacances', 'holidays', '{1,2,3,4,5}', false, 'day', 'bookings', '{"kind":"calendar_days","days":7,"time":"12:00"}', '{"kind":"calendar_days","days":7,"time":"12:00"}', 100, '2027-01-05T17:00:00Z')`);
  await sql(`INSERT INTO service_schools (service_id, school_id) SELECT sv.id, s.id FROM services sv, schools s WHERE sv.name LIKE 'Bench%' AND s.is_public AND sv.kind <> 'after_school'
             UNION ALL SELECT id, site_school_id FROM services WHERE name LIKE 'Bench – accueil du soir%'`);
  step('schools and services');

  // Parents, households, children, contacts.
  await sql(`INSERT INTO accounts (id, email, password_hash, first_name, last_name, role, email_verified_at, created_at, personal_data_notice_accepted_at)
    SELECT 100000 + g, 'parent' || g || '@bench.test', ?, (ARRAY['Camille','Julie','Thomas','Nicolas','Sarah','Karim','Léa','Hugo','Inès','Éloïse'])[1 + g % 10],
      (ARRAY['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand','Leroy','Moreau','Simon','Laurent','Lefèvre','Michel','Garcia'])[1 + g % 15] || '-' || g,
      'parent', now(), now(), now()
    FROM generate_series(1, ?) g`, [passwordHash, HOUSEHOLDS]);
  await sql(`INSERT INTO households (id, family_number, out_of_town, street_id, house_number, postcode, city, phone_mobile, email, allocataire_kind, allocataire_number, paperless, created_at)
    SELECT 100000 + g, 'SB-' || lpad(g::text, 6, '0'), g % 20 = 0, CASE WHEN g % 20 = 0 THEN NULL ELSE (SELECT min(id) FROM streets) + g % 30 END,
      (1 + g % 120)::text, CASE WHEN g % 20 = 0 THEN '44000' ELSE '49999' END, CASE WHEN g % 20 = 0 THEN 'Nantes' ELSE 'Saint-Exemple' END,
      '06 ' || lpad((g % 100)::text, 2, '0') || ' 00 00 00', 'parent' || g || '@bench.test', 'CAF', lpad((1000000 + g)::text, 7, '0'), g % 4 <> 0, now()
    FROM generate_series(1, ?) g`, [HOUSEHOLDS]);
  await sql(`INSERT INTO household_accounts (household_id, account_id, linked_at) SELECT 100000 + g, 100000 + g, now() FROM generate_series(1, ?) g`, [HOUSEHOLDS]);
  // 60 % of households have two children: about 8,000 for 5,000 households.
  await sql(`INSERT INTO members (id, kind, first_name, last_name, birth_date, sex, school_id, class_level, diet, allergies, has_pai, image_rights, created_at)
    SELECT 1000000 + g * 2 + k, 'child', (ARRAY['Léa','Hugo','Emma','Louis','Jade','Gabriel','Chloé','Arthur','Inès','Éloïse','Adam','Lina'])[1 + (g + k) % 12],
      'Famille-' || g, (DATE '2015-01-01' + ((g * 7 + k * 400) % 2900))::date, CASE WHEN (g + k) % 2 = 0 THEN 'F' ELSE 'M' END,
      sc.id, sc.class_levels[1 + (g + k) % array_length(sc.class_levels, 1)],
      (ARRAY['none','none','none','no_pork','vegetarian','no_meat'])[1 + (g + k) % 6],
      CASE WHEN (g + k) % 25 = 0 THEN 'arachide' END, (g + k) % 40 = 0, true, now()
    FROM generate_series(1, ?) g CROSS JOIN generate_series(0, 1) k
    JOIN LATERAL (SELECT id, class_levels FROM schools WHERE is_public ORDER BY id OFFSET (g + k) % (SELECT count(*) FROM schools WHERE is_public) LIMIT 1) sc ON true
    WHERE k = 0 OR g % 5 < 3`, [HOUSEHOLDS]);
  await sql(`INSERT INTO members (id, kind, first_name, last_name, phone, relationship, can_pick_up, emergency_contact, created_at)
    SELECT 3000000 + g, 'contact', 'Mamie', 'Contact-' || g, '06 99 00 00 00', 'grand-mère', true, true, now() FROM generate_series(1, ?) g`, [HOUSEHOLDS]);
  // The parent account's guardian member (the family card lists them; the search looks for them).
  await sql(`INSERT INTO members (id, kind, first_name, last_name, phone, email, account_id, created_at)
    SELECT 4000000 + g, 'guardian', a.first_name, a.last_name, '06 ' || lpad((g % 100)::text, 2, '0') || ' 00 00 00', a.email, a.id, now()
    FROM generate_series(1, ?) g JOIN accounts a ON a.id = 100000 + g`, [HOUSEHOLDS]);
  await sql(`INSERT INTO household_members (household_id, member_id, linked_at)
    SELECT 100000 + ((id - 1000000) / 2), id, now() FROM members WHERE id BETWEEN 1000000 AND 2999999
    UNION ALL SELECT 100000 + (id - 3000000), id, now() FROM members WHERE id BETWEEN 3000000 AND 3999999
    UNION ALL SELECT 100000 + (id - 4000000), id, now() FROM members WHERE id BETWEEN 4000000 AND 4999999`);
  await sql(`INSERT INTO guardian_children (guardian_id, child_id)
    SELECT 4000000 + ((id - 1000000) / 2), id FROM members WHERE id BETWEEN 1000000 AND 2999999`);
  step('households, accounts, children');

  // Enrolments (accepted): canteen for all, evening care 37 %, morning care 30 %, Wednesdays 20 %, holidays 10 %.
  await sql(`INSERT INTO enrolments (child_id, service_id, household_id, school_year_id, status, step, created_at, submitted_at, decided_at)
    SELECT m.id, sv.id, hm.household_id, '2026-2027', 'accepted', 'done', now(), now(), now()
    FROM members m JOIN household_members hm ON hm.member_id = m.id JOIN services sv ON sv.name LIKE 'Bench%'
    WHERE m.kind = 'child' AND m.id BETWEEN 1000000 AND 2999999 AND (
      sv.kind = 'canteen' OR (sv.kind = 'after_school' AND sv.site_school_id = m.school_id AND m.id % 8 < 3)
      OR (sv.kind = 'before_school' AND m.id % 10 < 3) OR (sv.kind = 'wednesday' AND m.id % 5 = 0) OR (sv.kind = 'holiday' AND m.id % 10 = 1))`);

  // The open days of each service from the town calendar.
  await sql(`CREATE TEMP TABLE bench_days AS
    WITH days AS (SELECT d::date AS day FROM generate_series(DATE '2026-09-01', DATE '2027-07-30', interval '1 day') d),
    flags AS (
      SELECT day, extract(isodow FROM day)::int AS dow,
        EXISTS (SELECT 1 FROM calendar_periods p WHERE p.kind = 'holiday' AND day BETWEEN p.starts_on AND coalesce(p.ends_on, DATE '2027-08-31')) AS holiday,
        EXISTS (SELECT 1 FROM calendar_periods p WHERE p.kind = 'public_holiday' AND day BETWEEN p.starts_on AND p.ends_on) AS public_holiday
      FROM days)
    SELECT sv.id AS service_id, f.day FROM services sv JOIN flags f ON NOT f.public_holiday AND f.dow = ANY(sv.weekdays)
    WHERE sv.name LIKE 'Bench%' AND (
      (sv.opening_days = 'school_days' AND NOT f.holiday AND f.day <= DATE '2027-07-02')
      OR (sv.opening_days = 'wednesdays' AND NOT f.holiday AND f.day <= DATE '2027-07-02')
      OR (sv.opening_days = 'holidays' AND f.holiday))`);
  // A school year of bookings: 3 % cancelled in time; the holiday centre full up to its capacity.
  await sql(`INSERT INTO reservations (service_id, child_id, household_id, day, group_key, status, created_at, cancelled_at)
    SELECT e.service_id, e.child_id, e.household_id, d.day, '', CASE WHEN (e.child_id + extract(doy FROM d.day)::int) % 33 = 0 THEN 'cancelled' ELSE 'booked' END,
      TIMESTAMP '2026-08-20 10:00', CASE WHEN (e.child_id + extract(doy FROM d.day)::int) % 33 = 0 THEN TIMESTAMP '2026-08-25 10:00' END
    FROM enrolments e JOIN bench_days d ON d.service_id = e.service_id
    JOIN services sv ON sv.id = e.service_id
    WHERE sv.kind <> 'holiday' OR (e.child_id % 97) < 60`);
  step('enrolments and a school year of bookings');
  // Attendance for the days already past (before 25 November 2026): 95 % present.
  await sql(`INSERT INTO attendance (service_id, child_id, day, status, household_id, recorded_at)
    SELECT service_id, child_id, day, CASE WHEN (child_id + extract(doy FROM day)::int) % 20 = 0 THEN 'absent' ELSE 'present' END, household_id, day + TIME '18:00'
    FROM reservations WHERE status = 'booked' AND day < DATE '2026-11-25' AND household_id >= 100000`);
  await sql(`INSERT INTO reservation_counters (service_id, day, group_key, booked)
    SELECT service_id, day, group_key, count(*) FROM reservations
    WHERE status IN ('booked','sick') AND service_id IN (SELECT id FROM services WHERE name LIKE 'Bench%') GROUP BY 1, 2, 3`);
  step('attendance and seat counters');

  // Documents (metadata), QF history, rates.
  await sql(`INSERT INTO document_types (code, name, scope, validity_rule, validity_months) VALUES
    ('insurance', 'Attestation d''assurance responsabilité civile', 'child', 'school_year_end', NULL),
    ('vaccinations', 'Carnet de vaccinations à jour', 'child', 'none', NULL),
    ('caf_attestation', 'Attestation CAF ou MSA', 'household', 'months', 3) ON CONFLICT (code) DO NOTHING`);
  await sql(`INSERT INTO documents (household_id, member_id, type_id, status, valid_until, uploaded_at, reviewed_at)
    SELECT hm.household_id, m.id, t.id, 'accepted', CASE WHEN t.code = 'insurance' THEN DATE '2027-08-31' END, TIMESTAMP '2026-08-28 20:00', TIMESTAMP '2026-08-30 10:00'
    FROM members m JOIN household_members hm ON hm.member_id = m.id JOIN document_types t ON t.code IN ('insurance', 'vaccinations')
    WHERE m.kind = 'child' AND m.id BETWEEN 1000000 AND 2999999`);
  await sql(`INSERT INTO documents (household_id, type_id, status, valid_until, uploaded_at)
    SELECT 100000 + g, t.id, CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'accepted' END, DATE '2026-12-31', TIMESTAMP '2026-09-28 20:00'
    FROM generate_series(1, ?) g JOIN document_types t ON t.code = 'caf_attestation'`, [HOUSEHOLDS]);
  await sql(`INSERT INTO document_files (document_id, position, storage_key, original_name, mime_type, size_bytes, sha256)
    SELECT id, 1, 'bench/' || id, 'scan.pdf', 'application/pdf', 150000, repeat('0', 64) FROM documents WHERE household_id >= 100000`);
  await sql(`INSERT INTO qf_history (household_id, value, valid_from, valid_to, source, validated_at)
    SELECT 100000 + g, 300 + (g * 37) % 1700, DATE '2026-01-01', DATE '2026-12-31', 'caf', now() FROM generate_series(1, ?) g WHERE g % 12 <> 0`, [HOUSEHOLDS]);
  await sql(`INSERT INTO qf_brackets (school_year_id, min_qf, max_qf, label) VALUES ('2026-2027', 0, 500, 'QF < 500'), ('2026-2027', 500, 800, 'QF 500 à 799'),
    ('2026-2027', 800, 1200, 'QF 800 à 1199'), ('2026-2027', 1200, NULL, 'QF 1200 et plus') ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO service_rates (service_id, out_of_town_cents, late_cancel_cents, unbooked_surcharge_cents)
    SELECT id, 650, 300, 150 FROM services WHERE name LIKE 'Bench%' ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO service_rate_brackets (service_id, bracket_id, unit_cents)
    SELECT sv.id, b.id, 100 + b.min_qf / 4 + CASE sv.kind WHEN 'canteen' THEN 200 WHEN 'holiday' THEN 900 WHEN 'wednesday' THEN 700 ELSE 50 END
    FROM services sv CROSS JOIN qf_brackets b WHERE sv.name LIKE 'Bench%' AND b.school_year_id = '2026-2027' ON CONFLICT DO NOTHING`);
  step('documents, quotient familial, rates');

  // Ten months of invoices (September 2026 to June 2027), one line per child and service, and their payments.
  await sql(`CREATE TEMP TABLE bench_lines AS
    SELECT r.household_id, to_char(r.day, 'YYYY-MM') AS month, r.child_id, r.service_id, count(*)::int AS quantity,
      (100 + 50 + CASE sv.kind WHEN 'canteen' THEN 200 WHEN 'holiday' THEN 900 WHEN 'wednesday' THEN 700 ELSE 50 END)::int AS unit_cents
    FROM reservations r JOIN services sv ON sv.id = r.service_id
    WHERE r.status = 'booked' AND r.day < DATE '2027-07-01' AND r.household_id >= 100000 GROUP BY 1, 2, 3, 4, sv.kind`);
  await sql(`INSERT INTO invoices (kind, number, household_id, month, issued_at, due_on, total_cents, paid_cents, status, household_snapshot)
    SELECT 'invoice', left(month, 4) || '-' || lpad((coalesce((SELECT last_number FROM invoice_counters c WHERE c.year = left(month, 4)::int AND c.kind = 'invoice'), 0)
        + row_number() OVER (PARTITION BY left(month, 4) ORDER BY month, household_id))::text, 6, '0'),
      household_id, month, (month || '-01')::date + interval '1 month' + interval '2 days', ((month || '-01')::date + interval '1 month' + interval '14 days')::date,
      total, CASE WHEN month < '2026-11' THEN total ELSE 0 END, CASE WHEN month < '2026-11' THEN 'paid' ELSE 'unpaid' END,
      jsonb_build_object('familyNumber', h.family_number, 'names', jsonb_build_array(a.first_name || ' ' || a.last_name),
        'addressLines', jsonb_build_array(h.house_number || ' rue du Bench'), 'postcode', h.postcode, 'city', h.city)
    FROM (SELECT household_id, month, sum(quantity * unit_cents)::int AS total FROM bench_lines GROUP BY 1, 2) t
    JOIN households h ON h.id = t.household_id JOIN accounts a ON a.id = t.household_id`);
  await sql(`INSERT INTO invoice_lines (invoice_id, position, child_id, service_id, label, kind, quantity, unit_cents, total_cents)
    SELECT i.id, row_number() OVER (PARTITION BY i.id ORDER BY l.child_id, l.service_id), l.child_id, l.service_id, 'Prestation', 'booked', l.quantity, l.unit_cents, l.quantity * l.unit_cents
    FROM bench_lines l JOIN invoices i ON i.household_id = l.household_id AND i.month = l.month AND i.kind = 'invoice'`);
  await sql(`INSERT INTO payments (invoice_id, household_id, method, amount_cents, received_at, reference, recorded_at)
    SELECT id, household_id, (ARRAY['online','direct_debit','cheque','cash'])[1 + id % 4], total_cents, issued_at + interval '5 days', 'BENCH' || id, issued_at + interval '5 days'
    FROM invoices WHERE status = 'paid'`);
  await sql(`INSERT INTO invoice_counters (year, kind, last_number)
    SELECT left(number, 4)::int, 'invoice', max(right(number, 6)::int) FROM invoices WHERE kind = 'invoice' GROUP BY 1
    ON CONFLICT (year, kind) DO UPDATE SET last_number = GREATEST(invoice_counters.last_number, EXCLUDED.last_number)`);
  step('invoices and payments');

  await sql(`SET session_replication_role = DEFAULT`);
  // Kept by triggers, which were off during the load: rebuilt once (migration 090100).
  await sql(`DELETE FROM child_pickups`);
  await sql(`SELECT refresh_child_pickups(ARRAY(SELECT id FROM members WHERE kind = 'child'))`);
  for (const i of indexes as { indexdef: string }[]) await db.raw(i.indexdef);
  for (const seq of ['accounts_id_seq', 'households_id_seq', 'members_id_seq']) {
    const table = seq.replace('_id_seq', '');
    await sql(`SELECT setval('${seq}', (SELECT max(id) FROM ${table}))`);
  }
  await sql(`SELECT setval('family_number_seq', ?)`, [HOUSEHOLDS + 100000]);
  await sql('ANALYZE');
  step('indexes rebuilt, statistics');

  const counts: Record<string, number> = {};
  for (const t of ['households', 'members', 'enrolments', 'reservations', 'attendance', 'documents', 'invoices', 'invoice_lines', 'payments', 'qf_history']) {
    const { rows } = await db.raw(`SELECT count(*)::int AS n FROM ${t}`);
    counts[t] = rows[0].n;
  }
  console.table(counts);
  console.log(`Bench database ${BENCH_DB} built in ${((Date.now() - started) / 1000).toFixed(1)} s (parents' password: ${BENCH_PASSWORD}).`);
  await db.destroy();
  await embedded?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
