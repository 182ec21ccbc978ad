// npm run bench:data -- --households 5000
// Builds the bench town of N households in its own database (portail_famille_bench_<N>): the schema
// and reference data through the app's own `seed` command, then the town with set-based SQL
// (generate_series, INSERT … SELECT) on one connection, the big tables' secondary indexes dropped
// during the load and rebuilt after. Only the features' tables are written.
//
// The town grows as a real one does: one school per 500 households (each with its morning and
// evening care), one district per five schools (each with its Wednesday and holiday centres), one
// canteen service for the whole town. So an evening-care sheet stays a site's size (350–450 children)
// whatever the town's size.
import { spawnSync } from 'node:child_process';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { databaseUrl } from '../src/platform/embedded-db.js';
import { DEMO_TOTP_SECRET } from '../seeds/020-accounts.js';
import {
  BENCH_AGENTS,
  BENCH_PASSWORD,
  FIRST_ID,
  HOUSEHOLDS,
  ROOT,
  below,
  benchDbName,
  benchServer,
  cpuMeter,
  info,
  postmasterOf,
  report,
  round,
} from './lib.js';

const HOUSEHOLDS_PER_SCHOOL = 500;
const SCHOOLS_PER_DISTRICT = 5;
const BIG_TABLES = [
  'reservations',
  'attendance',
  'invoice_lines',
  'invoices',
  'payments',
  'members',
  'household_members',
  'enrolments',
  'documents',
];

async function main() {
  // Children's ids are 1,000,000 + 2 × household: they must stay below the contacts' 3,000,000.
  if (!(HOUSEHOLDS >= 100 && HOUSEHOLDS <= 900_000)) throw new Error('--households: between 100 and 900,000');
  const started = Date.now();
  const step = (label: string) =>
    console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${label}`);
  const { serverUrl, embedded } = await benchServer();
  const dbName = benchDbName(HOUSEHOLDS);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = databaseUrl(serverUrl, dbName);

  // The schema and the reference data (town, schools, streets, calendar, staff), as `npm run seed` makes them.
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/seed.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      DEMO_FAMILIES: 'false',
      SESSION_SECRET: 'x'.repeat(40),
    },
  });
  if (seeded.status !== 0) throw new Error('npm run seed failed');
  step('schema and reference data');

  // One connection: the session settings below (no foreign-key triggers) apply to every statement.
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const sql = (text: string, values: unknown[] = []) => db.query(text, values);
  // PostgreSQL's CPU for the load: the figure to extrapolate from on a shared machine (wall time follows the other users).
  const pgCpu = cpuMeter(() => process.pid, await postmasterOf((text) => db.query(text)));
  const config = loadConfig({ ...process.env, NODE_ENV: 'development' });
  const passwordHash = await hash(BENCH_PASSWORD, {
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_ITERATIONS,
    parallelism: 1,
  });

  // Secondary indexes of the big tables (not those behind constraints): dropped now, rebuilt after the load.
  const { rows: indexes } = await sql(
    `SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public' AND tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [BIG_TABLES],
  );
  for (const i of indexes as { indexname: string }[]) await sql(`DROP INDEX "${i.indexname}"`);
  await sql(`SET synchronous_commit = off`);
  // Foreign-key triggers off for this session (the data is generated consistent), as pg_restore does.
  await sql(`SET session_replication_role = replica`);
  await sql(`SET maintenance_work_mem = '512MB'`);

  // Schools up to one per 500 households (the seeds' included), numbered, in districts of five.
  const schools = Math.max(1, Math.round(HOUSEHOLDS / HOUSEHOLDS_PER_SCHOOL));
  await sql(
    `INSERT INTO schools (name, kind, is_public, runs_own_canteen, address, class_levels)
     SELECT 'École ' || CASE WHEN n % 3 = 0 THEN 'maternelle' ELSE 'élémentaire' END || ' du quartier ' || n,
       CASE WHEN n % 3 = 0 THEN 'nursery' ELSE 'elementary' END, true, false, n || ' rue des Écoles, 49999 Saint-Exemple',
       CASE WHEN n % 3 = 0 THEN '{PS,MS,GS}'::text[] ELSE '{CP,CE1,CE2,CM1,CM2}'::text[] END
     FROM generate_series(1, $1 - (SELECT count(*) FROM schools WHERE is_public)) n`,
    [schools],
  );
  await sql(`CREATE TEMP TABLE bench_schools AS
    SELECT id, name, class_levels, (row_number() OVER (ORDER BY id) - 1)::int AS rn, ((row_number() OVER (ORDER BY id) - 1) / ${SCHOOLS_PER_DISTRICT})::int AS district
    FROM schools WHERE is_public`);
  const { rows: counted } = await sql(
    `SELECT count(*)::int AS schools, (max(district) + 1)::int AS districts FROM bench_schools`,
  );
  const { schools: schoolCount, districts } = counted[0] as { schools: number; districts: number };

  // Services of the year. Deadlines: the day before at 18:00 (care), two working days (canteen), the Thursday before (Wednesdays), 7 days (holidays).
  const insertServices = (select: string) =>
    sql(
      `INSERT INTO services (school_year_id, kind, name, description, opening_days, weekdays, needs_validation, unit, billing_basis, booking_deadline, cancel_deadline, capacity, site_school_id, booking_opens_at) ${select}`,
    );
  // What each kind usually serves, as the migration that added meals filled existing services.
  const mealsByKind = () =>
    sql(`UPDATE services SET meals = CASE kind WHEN 'canteen' THEN ARRAY['lunch'] WHEN 'after_school' THEN ARRAY['snack']
      WHEN 'wednesday' THEN ARRAY['lunch','snack'] WHEN 'holiday' THEN ARRAY['lunch','snack'] ELSE '{}' END::text[]
      WHERE name LIKE 'Bench%'`);
  const care = `'{"kind":"calendar_days","days":1,"time":"18:00"}'`;
  const canteen = `'{"kind":"working_days","days":2,"time":"10:00"}'`;
  const wednesday = `'{"kind":"week_before","weekday":4,"time":"12:00"}'`;
  const holiday = `'{"kind":"calendar_days","days":7,"time":"12:00"}'`;
  await insertServices(
    `VALUES ('2026-2027', 'canteen', 'Bench – restauration scolaire', 'Repas du midi', 'school_days', '{1,2,4,5}', false, 'meal', 'bookings', ${canteen}, ${canteen}, NULL, NULL, NULL)`,
  );
  await insertServices(
    `SELECT '2026-2027', 'after_school', 'Bench – accueil du soir – ' || name, 'Accueil du soir', 'school_days', '{1,2,4,5}', false, 'session', 'bookings', ${care}, ${care}, 400, id, NULL FROM bench_schools`,
  );
  await insertServices(
    `SELECT '2026-2027', 'before_school', 'Bench – accueil du matin – ' || name, 'Accueil du matin', 'school_days', '{1,2,4,5}', false, 'session', 'bookings', ${care}, ${care}, NULL, id, NULL FROM bench_schools`,
  );
  await insertServices(`SELECT '2026-2027', 'wednesday', 'Bench – mercredis loisirs – secteur ' || (district + 1), 'Accueil de loisirs du mercredi', 'wednesdays', '{3}', false, 'day', 'bookings',
    ${wednesday}, ${wednesday}, 200, min(id), NULL FROM bench_schools GROUP BY district`);
  await insertServices(`SELECT '2026-2027', 'holiday', 'Bench – centre de loisirs des vacances – secteur ' || (district + 1), 'Vacances', 'holidays', '{1,2,3,4,5}', false, 'day', 'bookings',
    ${holiday}, ${holiday}, 100, min(id), TIMESTAMPTZ '2027-01-05T17:00:00Z' FROM bench_schools GROUP BY district`);
  await mealsByKind();
  await sql(`CREATE TEMP TABLE bench_services AS
    SELECT sv.id, sv.kind, sv.capacity, sv.site_school_id, s.district FROM services sv LEFT JOIN bench_schools s ON s.id = sv.site_school_id WHERE sv.name LIKE 'Bench%'`);
  // Who may enrol: every school (canteen), the site's school (care), the district's schools (centres).
  await sql(`INSERT INTO service_schools (service_id, school_id)
    SELECT sv.id, s.id FROM bench_services sv JOIN bench_schools s
      ON sv.kind = 'canteen' OR (sv.kind IN ('before_school', 'after_school') AND s.id = sv.site_school_id) OR (sv.kind IN ('wednesday', 'holiday') AND s.district = sv.district)`);
  step(`${schoolCount} schools in ${districts} districts, their services`);

  /** A draw from 0 to n - 1 for a row: hashed, so that schools and services are not picked by the same pattern of ids. */
  const draw = (id: string, salt: number, n: number | string = 100) =>
    `((hashint4((${id})::int * 31 + ${salt})::bigint + 2147483648) % ${n})`;

  // Parents, households, children, contacts, and the bench's agents.
  await sql(
    `INSERT INTO accounts (id, email, password_hash, first_name, last_name, role, email_verified_at, created_at, personal_data_notice_accepted_at)
     SELECT ${FIRST_ID} + g, 'parent' || g || '@bench.test', $1, (ARRAY['Camille','Julie','Thomas','Nicolas','Sarah','Karim','Léa','Hugo','Inès','Éloïse'])[1 + g % 10],
       (ARRAY['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand','Leroy','Moreau','Simon','Laurent','Lefèvre','Michel','Garcia'])[1 + g % 15] || '-' || g,
       'parent', now(), now(), now()
     FROM generate_series(1, $2) g`,
    [passwordHash, HOUSEHOLDS],
  );
  await sql(
    `INSERT INTO accounts (email, password_hash, first_name, last_name, role, email_verified_at, created_at, personal_data_notice_accepted_at, totp_secret, totp_enabled_at)
     SELECT 'agent' || n || '@bench.test', $1, 'Agent', 'Bench-' || n, 'agent', now(), now(), now(), $2, now() FROM generate_series(1, $3) n`,
    [passwordHash, DEMO_TOTP_SECRET, BENCH_AGENTS],
  );
  await sql(
    `INSERT INTO households (id, family_number, out_of_town, street_id, house_number, postcode, city, phone_mobile, email, allocataire_kind, allocataire_number, paperless, created_at)
     SELECT ${FIRST_ID} + g, 'SB-' || lpad(g::text, 6, '0'), g % 20 = 0, CASE WHEN g % 20 = 0 THEN NULL ELSE st.id END,
       (1 + g % 120)::text, CASE WHEN g % 20 = 0 THEN '44000' ELSE '49999' END, CASE WHEN g % 20 = 0 THEN 'Nantes' ELSE 'Saint-Exemple' END,
       '06 ' || lpad((g % 100)::text, 2, '0') || ' 00 00 00', 'parent' || g || '@bench.test', 'CAF', lpad((1000000 + g)::text, 7, '0'), g % 4 <> 0, now()
     FROM generate_series(1, $1) g
     JOIN (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS rn, count(*) OVER ()::int AS n FROM streets) st ON st.rn = g % st.n`,
    [HOUSEHOLDS],
  );
  await sql(
    `INSERT INTO household_accounts (household_id, account_id, linked_at) SELECT ${FIRST_ID} + g, ${FIRST_ID} + g, now() FROM generate_series(1, $1) g`,
    [HOUSEHOLDS],
  );
  // 60 % of households have two children: about 1.6 children a household, 800 a school (drawn).
  await sql(
    `INSERT INTO members (id, kind, first_name, last_name, birth_date, sex, school_id, class_level, diet, allergies, has_pai, image_rights, created_at)
     SELECT 1000000 + g * 2 + k, 'child', (ARRAY['Léa','Hugo','Emma','Louis','Jade','Gabriel','Chloé','Arthur','Inès','Éloïse','Adam','Lina'])[1 + (g + k) % 12],
       'Famille-' || g, (DATE '2015-01-01' + ((g * 7 + k * 400) % 2900))::date, CASE WHEN (g + k) % 2 = 0 THEN 'F' ELSE 'M' END,
       sc.id, sc.class_levels[1 + (g + k) % array_length(sc.class_levels, 1)],
       (ARRAY['none','none','none','no_pork','vegetarian','no_meat'])[1 + (g + k) % 6],
       CASE WHEN (g + k) % 25 = 0 THEN 'arachide' END, (g + k) % 40 = 0, true, now()
     FROM generate_series(1, $1) g CROSS JOIN generate_series(0, 1) k
     JOIN bench_schools sc ON sc.rn = ${draw('g * 2 + k', 0, '$2')}
     WHERE k = 0 OR g % 5 < 3`,
    [HOUSEHOLDS, schoolCount],
  );
  await sql(
    `INSERT INTO members (id, kind, first_name, last_name, phone, relationship, can_pick_up, emergency_contact, created_at)
     SELECT 3000000 + g, 'contact', 'Mamie', 'Contact-' || g, '06 99 00 00 00', 'grand-mère', true, true, now() FROM generate_series(1, $1) g`,
    [HOUSEHOLDS],
  );
  // The parent account's guardian member (the family card lists them; the search looks for them).
  await sql(
    `INSERT INTO members (id, kind, first_name, last_name, phone, email, account_id, created_at)
     SELECT 4000000 + g, 'guardian', a.first_name, a.last_name, '06 ' || lpad((g % 100)::text, 2, '0') || ' 00 00 00', a.email, a.id, now()
     FROM generate_series(1, $1) g JOIN accounts a ON a.id = ${FIRST_ID} + g`,
    [HOUSEHOLDS],
  );
  await sql(`INSERT INTO household_members (household_id, member_id, linked_at)
    SELECT ${FIRST_ID} + (id - 1000000) / 2, id, now() FROM members WHERE id BETWEEN 1000000 AND 2999999
    UNION ALL SELECT ${FIRST_ID} + (id - 3000000), id, now() FROM members WHERE id BETWEEN 3000000 AND 3999999
    UNION ALL SELECT ${FIRST_ID} + (id - 4000000), id, now() FROM members WHERE id BETWEEN 4000000 AND 4999999`);
  await sql(
    `INSERT INTO guardian_children (guardian_id, child_id) SELECT 4000000 + (id - 1000000) / 2, id FROM members WHERE id BETWEEN 1000000 AND 2999999`,
  );
  step('households, accounts, children');

  // Enrolments (accepted): the canteen for all, evening care 50 % and morning care 30 % at their
  // school's site, their district's Wednesday centre 20 % and holiday centre 10 %.
  await sql(`INSERT INTO enrolments (child_id, service_id, household_id, school_year_id, status, step, created_at, submitted_at, decided_at)
    SELECT m.id, sv.id, (m.id - 1000000) / 2 + ${FIRST_ID}, '2026-2027', 'accepted', 'done', now(), now(), now()
    FROM members m JOIN bench_schools s ON s.id = m.school_id JOIN bench_services sv ON
      sv.kind = 'canteen'
      OR (sv.kind = 'after_school' AND sv.site_school_id = m.school_id AND ${draw('m.id', 1)} < 50)
      OR (sv.kind = 'before_school' AND sv.site_school_id = m.school_id AND ${draw('m.id', 2)} < 30)
      OR (sv.kind = 'wednesday' AND sv.district = s.district AND ${draw('m.id', 3)} < 20)
      OR (sv.kind = 'holiday' AND sv.district = s.district AND ${draw('m.id', 4)} < 10)
    WHERE m.id BETWEEN 1000000 AND 2999999`);

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
      (sv.opening_days IN ('school_days', 'wednesdays') AND NOT f.holiday AND f.day <= DATE '2027-07-02')
      OR (sv.opening_days = 'holidays' AND f.holiday))`);
  // A school year of bookings, 3 % cancelled in time. The centres (Wednesdays, holidays): 60 % of
  // their children each day, up to their capacity, as the booking rules keep them.
  const reservation = `e.service_id, e.child_id, e.household_id, d.day, '',
      CASE WHEN (e.child_id + extract(doy FROM d.day)::int) % 33 = 0 THEN 'cancelled' ELSE 'booked' END,
      TIMESTAMP '2026-08-20 10:00', CASE WHEN (e.child_id + extract(doy FROM d.day)::int) % 33 = 0 THEN TIMESTAMP '2026-08-25 10:00' END`;
  const columns = '(service_id, child_id, household_id, day, group_key, status, created_at, cancelled_at)';
  await sql(`INSERT INTO reservations ${columns}
    SELECT ${reservation} FROM enrolments e JOIN bench_services sv ON sv.id = e.service_id AND sv.kind IN ('canteen', 'before_school', 'after_school')
    JOIN bench_days d ON d.service_id = e.service_id`);
  await sql(`INSERT INTO reservations ${columns}
    SELECT service_id, child_id, household_id, day, '', status, created_at, cancelled_at FROM (
      SELECT ${reservation}, row_number() OVER (PARTITION BY e.service_id, d.day ORDER BY (e.child_id * 7919 + extract(doy FROM d.day)::int) % 1009, e.child_id) AS rank, sv.capacity
      FROM enrolments e JOIN bench_services sv ON sv.id = e.service_id AND sv.kind IN ('wednesday', 'holiday')
      JOIN bench_days d ON d.service_id = e.service_id
      WHERE (e.child_id + extract(doy FROM d.day)::int) % 5 < 3) r(service_id, child_id, household_id, day, group_key, status, created_at, cancelled_at, rank, capacity)
    WHERE rank <= capacity`);
  step('enrolments and a school year of bookings');
  // Attendance for the days already past (before 25 November 2026): 95 % present.
  await sql(`INSERT INTO attendance (service_id, child_id, day, status, household_id, recorded_at)
    SELECT service_id, child_id, day, CASE WHEN (child_id + extract(doy FROM day)::int) % 19 = 0 THEN 'absent' ELSE 'present' END, household_id, day + TIME '18:00'
    FROM reservations WHERE status = 'booked' AND day < DATE '2026-11-25' AND household_id >= ${FIRST_ID}`);
  await sql(`INSERT INTO reservation_counters (service_id, day, group_key, booked)
    SELECT service_id, day, group_key, count(*) FROM reservations
    WHERE status IN ('booked','sick') AND service_id IN (SELECT id FROM bench_services) GROUP BY 1, 2, 3`);
  step('attendance and seat counters');

  // Documents (metadata), QF history, rates.
  await sql(`INSERT INTO document_types (code, name, scope, validity_rule, validity_months) VALUES
    ('insurance', 'Attestation d''assurance responsabilité civile', 'child', 'school_year_end', NULL),
    ('vaccinations', 'Carnet de vaccinations à jour', 'child', 'none', NULL),
    ('caf_attestation', 'Attestation CAF ou MSA', 'household', 'months', 3) ON CONFLICT (code) DO NOTHING`);
  await sql(`INSERT INTO documents (household_id, member_id, type_id, status, valid_until, uploaded_at, reviewed_at)
    SELECT ${FIRST_ID} + (m.id - 1000000) / 2, m.id, t.id, 'accepted', CASE WHEN t.code = 'insurance' THEN DATE '2027-08-31' END, TIMESTAMP '2026-08-28 20:00', TIMESTAMP '2026-08-30 10:00'
    FROM members m JOIN document_types t ON t.code IN ('insurance', 'vaccinations')
    WHERE m.id BETWEEN 1000000 AND 2999999`);
  await sql(
    `INSERT INTO documents (household_id, type_id, status, valid_until, uploaded_at)
     SELECT ${FIRST_ID} + g, t.id, CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'accepted' END, DATE '2026-12-31', TIMESTAMP '2026-09-28 20:00'
     FROM generate_series(1, $1) g JOIN document_types t ON t.code = 'caf_attestation'`,
    [HOUSEHOLDS],
  );
  await sql(`INSERT INTO document_files (document_id, position, storage_key, original_name, mime_type, size_bytes, sha256)
    SELECT id, 1, 'bench/' || id, 'scan.pdf', 'application/pdf', 150000, repeat('0', 64) FROM documents WHERE household_id >= ${FIRST_ID}`);
  await sql(
    `INSERT INTO qf_history (household_id, value, valid_from, valid_to, source, validated_at)
     SELECT ${FIRST_ID} + g, 300 + (g * 37) % 1700, DATE '2026-01-01', DATE '2026-12-31', 'caf', now() FROM generate_series(1, $1) g WHERE g % 12 <> 0`,
    [HOUSEHOLDS],
  );
  await sql(`INSERT INTO qf_brackets (school_year_id, min_qf, max_qf, label) VALUES ('2026-2027', 0, 500, 'QF < 500'), ('2026-2027', 500, 800, 'QF 500 à 799'),
    ('2026-2027', 800, 1200, 'QF 800 à 1199'), ('2026-2027', 1200, NULL, 'QF 1200 et plus') ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO service_rates (service_id, out_of_town_cents, late_cancel_cents, unbooked_surcharge_cents)
    SELECT id, 650, 300, 150 FROM bench_services ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO service_rate_brackets (service_id, bracket_id, unit_cents)
    SELECT sv.id, b.id, 100 + b.min_qf / 4 + CASE sv.kind WHEN 'canteen' THEN 200 WHEN 'holiday' THEN 900 WHEN 'wednesday' THEN 700 ELSE 50 END
    FROM bench_services sv CROSS JOIN qf_brackets b WHERE b.school_year_id = '2026-2027' ON CONFLICT DO NOTHING`);
  step('documents, quotient familial, rates');

  // Ten months of invoices (September 2026 to June 2027), one line per child and service, and the payments of those before November.
  await sql(`CREATE TEMP TABLE bench_lines AS
    SELECT r.household_id, to_char(r.day, 'YYYY-MM') AS month, r.child_id, r.service_id, count(*)::int AS quantity,
      (100 + 50 + CASE sv.kind WHEN 'canteen' THEN 200 WHEN 'holiday' THEN 900 WHEN 'wednesday' THEN 700 ELSE 50 END)::int AS unit_cents
    FROM reservations r JOIN bench_services sv ON sv.id = r.service_id
    WHERE r.status = 'booked' AND r.day < DATE '2027-07-01' GROUP BY 1, 2, 3, 4, sv.kind`);
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
  for (const i of indexes as { indexdef: string }[]) await sql(i.indexdef);
  for (const table of ['accounts', 'households', 'members'])
    await sql(`SELECT setval('${table}_id_seq', (SELECT max(id) FROM ${table}))`);
  await sql(`SELECT setval('family_number_seq', $1)`, [HOUSEHOLDS + FIRST_ID]);
  step('indexes rebuilt');
  // As autovacuum would leave a town's database (visibility map, statistics), before any measurement rather than during one.
  await sql('VACUUM (ANALYZE)');
  await sql('CHECKPOINT');
  step('vacuumed and analysed');

  const counts: Record<string, number> = {};
  for (const t of [
    'households',
    'members',
    'enrolments',
    'reservations',
    'attendance',
    'documents',
    'invoices',
    'invoice_lines',
    'payments',
  ]) {
    const { rows } = await sql(`SELECT count(*)::int AS n FROM ${t}`);
    counts[t] = rows[0].n;
  }
  const { rows: sheet } =
    await sql(`SELECT max(n)::int AS max, min(n)::int AS min FROM (SELECT count(*) AS n FROM attendance a JOIN bench_services sv ON sv.id = a.service_id AND sv.kind = 'after_school'
    WHERE a.day = DATE '2026-11-19' GROUP BY a.service_id) x`);
  const { rows: size } = await sql(`SELECT pg_database_size(current_database()) AS bytes`);
  const pgCpuSeconds = pgCpu.used().pg;
  await db.end();
  await embedded?.stop();
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  report('data', HOUSEHOLDS, [
    below('built in', seconds, 600, 's'),
    info(
      'PostgreSQL CPU for the load (after the seeds)',
      pgCpuSeconds === null ? null : round(pgCpuSeconds / 1000),
      's',
    ),
    info('schools / districts', `${schoolCount} / ${districts}`),
    info(
      'evening-care sheet of 19 Nov. 2026 (smallest–largest site)',
      `${sheet[0].min}–${sheet[0].max}`,
      'children',
    ),
    ...Object.entries(counts).map(([t, n]) => info(t, n, 'rows')),
    info('database size', Math.round(Number(size[0].bytes) / 2 ** 20), 'MB'),
  ]);
  console.log(
    `Database ${dbName} (parents parent<N>@bench.test, agents agent<1-${BENCH_AGENTS}>@bench.test, password ${BENCH_PASSWORD}).`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
