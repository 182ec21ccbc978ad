// Small factories over the repositories, for fixtures.
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../src/deps.js';
import { createPasswordHasher } from '../../src/accounts/passwords.js';
import { insertAccount } from '../../src/accounts/repository.js';
import type { Role } from '../../src/web/types.js';

export const TEST_PASSWORD = 'Correct-Horse-42!';
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

export interface TestAccount {
  id: number;
  email: string;
  password: string;
  role: Role;
  totpSecret: string | null;
}

export async function createAccount(
  deps: AppDeps,
  opts: {
    role?: Role;
    email?: string;
    firstName?: string;
    lastName?: string;
    verified?: boolean;
    schoolIds?: number[];
  } = {},
): Promise<TestAccount> {
  const role = opts.role ?? 'parent';
  const email = opts.email ?? `${role}-${randomBytes(4).toString('hex')}@example.test`;
  const staff = role !== 'parent';
  const hasher = createPasswordHasher(deps.config);
  const now = deps.clock.now();
  const id = await insertAccount(deps.db, {
    email,
    password_hash: await hasher.hash(TEST_PASSWORD),
    first_name: opts.firstName ?? 'Alex',
    last_name: opts.lastName ?? 'Testeur',
    role,
    created_at: now,
    email_verified_at: opts.verified === false ? null : now,
    totp_secret: staff ? TEST_TOTP_SECRET : null,
    totp_enabled_at: staff ? now : null,
  });
  for (const schoolId of opts.schoolIds ?? [])
    await deps.db('account_sites').insert({ account_id: id, school_id: schoolId });
  return { id, email, password: TEST_PASSWORD, role, totpSecret: staff ? TEST_TOTP_SECRET : null };
}

export interface TestChild {
  id: number;
  firstName: string;
}

/** A household with its guardian account(s) and children. Schools by kind: 'elementary' | 'nursery' | 'private'. */
export async function createHousehold(
  deps: AppDeps,
  opts: {
    accounts?: TestAccount[];
    children?: {
      firstName?: string;
      lastName?: string;
      birthDate?: string;
      school?: 'elementary' | 'nursery' | 'private';
      classLevel?: string;
      diet?: string;
      allergies?: string;
      hasPai?: boolean;
    }[];
    outOfTown?: boolean;
    email?: string;
  } = {},
): Promise<{ id: number; familyNumber: string; children: TestChild[] }> {
  const { db, clock } = deps;
  const now = clock.now();
  const [{ nextval }] = (await db.raw("SELECT nextval('family_number_seq') AS nextval")).rows as [
    { nextval: number },
  ];
  const familyNumber = `SE-${String(nextval).padStart(6, '0')}`;
  const street = opts.outOfTown ? null : await db('streets').orderBy('id').first('id');
  const [h] = await db('households')
    .insert({
      family_number: familyNumber,
      out_of_town: Boolean(opts.outOfTown),
      street_id: street?.id ?? null,
      house_number: street ? '12' : null,
      address_line: opts.outOfTown ? '4 rue du Port' : null,
      postcode: opts.outOfTown ? '44000' : '49999',
      city: opts.outOfTown ? 'Nantes' : 'Saint-Exemple',
      email: opts.email ?? opts.accounts?.[0]?.email ?? null,
      phone_mobile: '06 12 34 56 78',
      paperless: true,
      created_at: now,
    })
    .returning('id');
  const householdId = (h as { id: number }).id;
  for (const a of opts.accounts ?? [])
    await db('household_accounts').insert({ household_id: householdId, account_id: a.id, linked_at: now });
  const children: TestChild[] = [];
  for (const [i, c] of (opts.children ?? []).entries()) {
    const school = await db('schools')
      .where({ kind: c.school ?? 'elementary' })
      .first('id', 'class_levels');
    const firstName = c.firstName ?? `Enfant${i + 1}`;
    const [m] = await db('members')
      .insert({
        kind: 'child',
        first_name: firstName,
        last_name: c.lastName ?? 'Testeur',
        birth_date: c.birthDate ?? '2018-05-12',
        sex: 'F',
        school_id: school?.id ?? null,
        class_level: c.classLevel ?? school?.class_levels?.[0] ?? null,
        diet: c.diet ?? 'none',
        allergies: c.allergies ?? null,
        has_pai: c.hasPai ?? false,
        created_at: now,
      })
      .returning('id');
    const id = (m as { id: number }).id;
    await db('household_members').insert({ household_id: householdId, member_id: id, linked_at: now });
    children.push({ id, firstName });
  }
  return { id: householdId, familyNumber, children };
}

/** A parent account with its household and children, in one call. */
export async function createFamily(
  deps: AppDeps,
  children: NonNullable<NonNullable<Parameters<typeof createHousehold>[1]>['children']> = [{}],
) {
  const parent = await createAccount(deps, { role: 'parent' });
  const household = await createHousehold(deps, { accounts: [parent], children });
  return { parent, household };
}

// === services & enrolments fixtures (reservations feature; used by services and billing too) ===

/** What a service of each kind serves by default (as migration 20261208010300 set it). */
const MEALS_OF_KIND: Record<string, string[]> = {
  canteen: ['lunch'],
  wednesday: ['lunch', 'snack'],
  holiday: ['lunch', 'snack'],
  after_school: ['snack'],
};

export interface TestService {
  id: number;
  name: string;
  kind: string;
  school_year_id: string;
  opening_days: string;
  weekdays: number[];
  capacity: number | null;
  site_school_id: number | null;
  [column: string]: unknown;
}

/**
 * A service row of the demo school year (2026-2027): by default a canteen open on school days
 * (Mon, Tue, Thu, Fri), unlimited, booking until 2 calendar days before at 10:00, cancelling the
 * same. `overrides` are `services` columns (deadlines as objects, they are stored as JSON).
 */
export async function createService(
  deps: AppDeps,
  overrides: Record<string, unknown> = {},
): Promise<TestService> {
  const json = (v: unknown) => (v === undefined || v === null ? v : JSON.stringify(v));
  const row: Record<string, unknown> = {
    school_year_id: '2026-2027',
    kind: 'canteen',
    name: `Service ${randomBytes(4).toString('hex')}`,
    opening_days: 'school_days',
    weekdays: [1, 2, 4, 5],
    unit: 'meal',
    meals: MEALS_OF_KIND[String(overrides.kind ?? 'canteen')] ?? [],
    booking_deadline: { kind: 'calendar_days', days: 2, time: '10:00' },
    cancel_deadline: { kind: 'calendar_days', days: 2, time: '10:00' },
    ...overrides,
  };
  for (const key of ['booking_deadline', 'cancel_deadline', 'capacity_groups']) {
    if (key in row) row[key] = json(row[key]);
  }
  const [created] = await deps.db('services').insert(row).returning('*');
  return created as TestService;
}

/** An enrolment of a child in a service (accepted by default), for the household that pays. */
export async function createEnrolment(
  deps: AppDeps,
  opts: {
    childId: number;
    serviceId: number;
    householdId: number;
    status?: string;
    options?: Record<string, unknown>;
  },
): Promise<{ id: number }> {
  const service = await deps.db('services').where({ id: opts.serviceId }).first('school_year_id');
  const now = deps.clock.now();
  const status = opts.status ?? 'accepted';
  const [row] = await deps
    .db('enrolments')
    .insert({
      child_id: opts.childId,
      service_id: opts.serviceId,
      household_id: opts.householdId,
      school_year_id: (service as { school_year_id: string }).school_year_id,
      status,
      step: 'done',
      options: JSON.stringify(opts.options ?? {}),
      created_at: now,
      submitted_at: status === 'draft' ? null : now,
      decided_at: ['accepted', 'refused'].includes(status) ? now : null,
    })
    .returning('id');
  return { id: (row as { id: number }).id };
}

// === billing fixtures (billing feature): QF brackets, rates, QF history, reservations and attendance rows ===

/** The four seeded brackets of a school year (QF < 500, 500–799, 800–1199, ≥ 1200); returns their ids low to high. */
export async function ensureBrackets(deps: AppDeps, schoolYearId = '2026-2027'): Promise<number[]> {
  const grid: [number, number | null, string][] = [
    [0, 500, 'QF < 500'],
    [500, 800, '500 – 799'],
    [800, 1200, '800 – 1 199'],
    [1200, null, '≥ 1 200'],
  ];
  for (const [min, max, label] of grid) {
    await deps
      .db('qf_brackets')
      .insert({ school_year_id: schoolYearId, min_qf: min, max_qf: max, label })
      .onConflict(['school_year_id', 'min_qf'])
      .ignore();
  }
  const rows = await deps
    .db('qf_brackets')
    .where({ school_year_id: schoolYearId })
    .orderBy('min_qf')
    .select('id');
  return rows.map((r: { id: number }) => r.id);
}

/** Rates of a service: one unit price per bracket (low to high), in cents. */
export async function setRates(
  deps: AppDeps,
  serviceId: number,
  opts: {
    brackets: number[];
    outOfTown?: number | null;
    unknownQf?: number | null;
    lateCancel?: number;
    surcharge?: number;
    schoolYearId?: string;
  },
): Promise<void> {
  const ids = await ensureBrackets(deps, opts.schoolYearId);
  await deps
    .db('service_rates')
    .insert({
      service_id: serviceId,
      out_of_town_cents: opts.outOfTown ?? null,
      unknown_qf_cents: opts.unknownQf ?? null,
      late_cancel_cents: opts.lateCancel ?? 0,
      unbooked_surcharge_cents: opts.surcharge ?? 0,
    })
    .onConflict('service_id')
    .merge();
  await deps.db('service_rate_brackets').where({ service_id: serviceId }).delete();
  await deps.db('service_rate_brackets').insert(
    ids.map((id, i) => ({
      service_id: serviceId,
      bracket_id: id,
      unit_cents: opts.brackets[i] ?? opts.brackets[opts.brackets.length - 1],
    })),
  );
}

export async function addQf(
  deps: AppDeps,
  householdId: number,
  value: number,
  validFrom: string,
  validTo: string | null = null,
): Promise<void> {
  await deps.db('qf_history').insert({
    household_id: householdId,
    value,
    valid_from: validFrom,
    valid_to: validTo,
    source: 'caf',
    validated_at: deps.clock.now(),
  });
}

/** Reservation rows inserted directly (status as stored by the reservations feature). */
export async function addReservations(
  deps: AppDeps,
  r: {
    serviceId: number;
    childId: number;
    householdId: number;
    days: string[];
    status?: string;
    sickCertificateDocumentId?: number | null;
  },
): Promise<void> {
  if (!r.days.length) return;
  await deps.db('reservations').insert(
    r.days.map((day) => ({
      service_id: r.serviceId,
      child_id: r.childId,
      household_id: r.householdId,
      day,
      status: r.status ?? 'booked',
      sick_certificate_document_id: r.sickCertificateDocumentId ?? null,
      created_at: deps.clock.now(),
    })),
  );
}

export async function addAttendance(
  deps: AppDeps,
  a: { serviceId: number; childId: number; days: string[]; status: string; householdId?: number | null },
): Promise<void> {
  if (!a.days.length) return;
  await deps.db('attendance').insert(
    a.days.map((day) => ({
      service_id: a.serviceId,
      child_id: a.childId,
      day,
      status: a.status,
      household_id: a.householdId ?? null,
      recorded_at: deps.clock.now(),
    })),
  );
}

/** A household document of a type code (caf_attestation, tax_notice, medical_certificate…), uploaded at `uploadedAt`. */
export async function addDocument(
  deps: AppDeps,
  householdId: number,
  typeCode: string,
  uploadedAt: string,
  memberId: number | null = null,
): Promise<number> {
  let type = await deps.db('document_types').where({ code: typeCode }).first('id');
  if (!type) {
    [type] = await deps
      .db('document_types')
      .insert({ code: typeCode, name: typeCode, scope: memberId ? 'child' : 'household' })
      .returning('id');
  }
  const [doc] = await deps
    .db('documents')
    .insert({
      household_id: householdId,
      member_id: memberId,
      type_id: (type as { id: number }).id,
      status: 'accepted',
      uploaded_at: new Date(uploadedAt),
    })
    .returning('id');
  return (doc as { id: number }).id;
}

// === payments (issue 9) ===
/** An issued invoice of a household, inserted directly (invoice + one line), for payments tests. */
export async function createInvoice(
  deps: AppDeps,
  opts: {
    householdId: number;
    totalCents: number;
    month?: string;
    paidCents?: number;
    status?: string;
    issuedAt?: Date | string;
    dueOn?: string;
    number?: string;
  },
): Promise<{ id: number; number: string }> {
  const number = opts.number ?? `2026-${String(100000 + Math.floor(Math.random() * 899999))}`;
  const month =
    opts.month ??
    `2026-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}-${randomBytes(2).toString('hex')}`;
  const [row] = await deps
    .db('invoices')
    .insert({
      kind: 'invoice',
      number,
      household_id: opts.householdId,
      month,
      issued_at: opts.issuedAt ? new Date(opts.issuedAt) : deps.clock.now(),
      due_on: opts.dueOn ?? '2026-10-15',
      total_cents: opts.totalCents,
      paid_cents: opts.paidCents ?? 0,
      status: opts.status ?? 'unpaid',
      household_snapshot: JSON.stringify({
        familyNumber: '',
        names: [],
        addressLines: [],
        postcode: '',
        city: '',
      }),
    })
    .returning('id');
  const id = (row as { id: number }).id;
  await deps.db('invoice_lines').insert({
    invoice_id: id,
    position: 1,
    label: 'Restauration scolaire',
    kind: 'booked',
    quantity: 1,
    unit_cents: opts.totalCents,
    total_cents: opts.totalCents,
    days: '[]',
  });
  return { id, number };
}

// === households (issue 4) ===

/** Form fields of a valid in-town household (the first street of the demo town). */
export async function householdForm(
  deps: AppDeps,
  overrides: Record<string, string> = {},
): Promise<Record<string, string>> {
  const street = await deps.db('streets').orderBy('id').first('id');
  return {
    address_kind: 'town',
    street_id: String(street.id),
    house_number: '8',
    phone_mobile: '06 11 22 33 44',
    email: 'famille@example.test',
    allocataire_kind: 'CAF',
    allocataire_number: '7654321',
    paperless: 'on',
    ...overrides,
  };
}

/** A contact person of a household. */
export async function createContact(
  deps: AppDeps,
  householdId: number,
  opts: { firstName?: string; lastName?: string } = {},
): Promise<number> {
  const now = deps.clock.now();
  const [m] = await deps
    .db('members')
    .insert({
      kind: 'contact',
      first_name: opts.firstName ?? 'Paulette',
      last_name: opts.lastName ?? 'Voisin',
      phone: '06 00 00 00 01',
      relationship: 'voisine',
      can_pick_up: true,
      created_at: now,
    })
    .returning('id');
  const id = (m as { id: number }).id;
  await deps.db('household_members').insert({ household_id: householdId, member_id: id, linked_at: now });
  return id;
}
