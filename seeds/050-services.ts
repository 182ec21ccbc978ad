// Services of the 2026-2027 school year with their required documents and booking rules, then
// demo enrolments for the demo households (when seeds 030/040 created them). Idempotent.
import type { AppDeps } from '../src/deps.js';
import { seedDemoEnrolments } from '../src/enrolments/demo.js';

const YEAR = '2026-2027';
const PUBLIC_SCHOOLS = ['École élémentaire Jules-Ferry', 'École maternelle Les Tilleuls'];

interface SeedService {
  name: string;
  kind: string;
  description: string;
  opening_days: string;
  weekdays: number[];
  needs_validation: boolean;
  unit: string;
  /** What the children are served (counted in the kitchen headcount). */
  meals: ('lunch' | 'snack')[];
  public_schools?: boolean;
  min_age?: number;
  max_age?: number;
  booking_deadline?: object;
  cancel_deadline?: object;
  booking_window_days?: number;
  booking_unit?: string;
  capacity?: number;
  capacity_split?: string;
  capacity_groups?: object[];
  requirements: [code: string, rule: 'valid_at_start' | 'valid_whole_period'][];
}

export const SEED_SERVICES: SeedService[] = [
  {
    name: 'Restauration scolaire',
    kind: 'canteen',
    description:
      'Le déjeuner des écoles publiques, servi les lundis, mardis, jeudis et vendredis. Les repas se réservent en ligne ; les menus tiennent compte du régime alimentaire et du PAI de l’enfant.',
    opening_days: 'school_days',
    weekdays: [1, 2, 4, 5],
    needs_validation: true,
    unit: 'meal',
    meals: ['lunch'],
    public_schools: true,
    booking_deadline: { kind: 'calendar_days', days: 2, time: '10:00' },
    cancel_deadline: { kind: 'calendar_days', days: 2, time: '10:00' },
    booking_window_days: 90,
    requirements: [
      ['insurance', 'valid_at_start'],
      ['vaccinations', 'valid_whole_period'],
    ],
  },
  {
    name: 'Accueil périscolaire matin',
    kind: 'before_school',
    description: 'Accueil des enfants avant la classe, de 7 h 30 à 8 h 20, dans leur école.',
    opening_days: 'school_days',
    weekdays: [1, 2, 4, 5],
    needs_validation: false,
    unit: 'session',
    meals: [],
    public_schools: true,
    booking_deadline: { kind: 'calendar_days', days: 1, time: '18:00' },
    cancel_deadline: { kind: 'calendar_days', days: 1, time: '18:00' },
    booking_window_days: 90,
    requirements: [
      ['insurance', 'valid_at_start'],
      ['vaccinations', 'valid_whole_period'],
    ],
  },
  {
    name: 'Accueil périscolaire soir',
    kind: 'after_school',
    description:
      'Goûter, aide aux devoirs et activités après la classe, de 16 h 30 à 18 h 30, dans leur école.',
    opening_days: 'school_days',
    weekdays: [1, 2, 4, 5],
    needs_validation: false,
    unit: 'session',
    meals: ['snack'],
    public_schools: true,
    booking_deadline: { kind: 'calendar_days', days: 1, time: '18:00' },
    cancel_deadline: { kind: 'calendar_days', days: 1, time: '18:00' },
    booking_window_days: 90,
    requirements: [
      ['insurance', 'valid_at_start'],
      ['vaccinations', 'valid_whole_period'],
    ],
  },
  {
    name: 'Accueil de loisirs du mercredi',
    kind: 'wednesday',
    description:
      'Le centre de loisirs accueille les enfants de 3 à 11 ans le mercredi, à la journée, repas compris.',
    opening_days: 'wednesdays',
    weekdays: [3],
    needs_validation: true,
    unit: 'day',
    meals: ['lunch', 'snack'],
    min_age: 3,
    max_age: 11,
    booking_deadline: { kind: 'week_before', weekday: 4, time: '12:00' },
    cancel_deadline: { kind: 'week_before', weekday: 4, time: '12:00' },
    booking_window_days: 120,
    capacity: 60,
    requirements: [
      ['insurance', 'valid_at_start'],
      ['vaccinations', 'valid_whole_period'],
    ],
  },
  {
    name: 'Accueil de loisirs des vacances',
    kind: 'holiday',
    description:
      'Pendant les vacances scolaires, du lundi au vendredi : sorties, jeux et ateliers, à la journée, repas compris.',
    opening_days: 'holidays',
    weekdays: [1, 2, 3, 4, 5],
    needs_validation: true,
    unit: 'day',
    meals: ['lunch', 'snack'],
    min_age: 3,
    max_age: 11,
    booking_deadline: { kind: 'calendar_days', days: 14, time: '12:00' },
    cancel_deadline: { kind: 'calendar_days', days: 7, time: '12:00' },
    booking_unit: 'day',
    capacity: 40,
    capacity_split: 'age',
    capacity_groups: [
      { key: 'under6', label: 'Moins de 6 ans', maxAge: 5, capacity: 16 },
      { key: 'over6', label: '6 ans et plus', minAge: 6, capacity: 24 },
    ],
    requirements: [
      ['insurance', 'valid_at_start'],
      ['vaccinations', 'valid_whole_period'],
    ],
  },
  {
    name: 'Inscription scolaire',
    kind: 'school',
    description:
      'L’inscription à l’école publique du secteur de votre rue (maternelle ou élémentaire selon la classe). Pour une autre école, vous pouvez demander une dérogation.',
    opening_days: 'none',
    weekdays: [1, 2, 3, 4, 5],
    needs_validation: true,
    unit: 'day',
    meals: [],
    requirements: [
      ['proof_of_address', 'valid_at_start'],
      ['vaccinations', 'valid_at_start'],
    ],
  },
];

export async function seed(deps: AppDeps): Promise<void> {
  const { db } = deps;
  if (!(await db('school_years').where({ id: YEAR }).first())) return;
  const schools = (await db('schools').whereIn('name', PUBLIC_SCHOOLS).select('id')) as { id: number }[];
  for (const s of SEED_SERVICES) {
    await db('services')
      .insert({
        school_year_id: YEAR,
        kind: s.kind,
        name: s.name,
        description: s.description,
        opening_days: s.opening_days,
        weekdays: s.weekdays,
        enrol_opens_on: '2026-05-04',
        enrol_closes_on: '2027-06-15',
        needs_validation: s.needs_validation,
        min_age: s.min_age ?? null,
        max_age: s.max_age ?? null,
        unit: s.unit,
        meals: s.meals,
        billing_basis: 'bookings',
        booking_deadline: s.booking_deadline ? JSON.stringify(s.booking_deadline) : null,
        cancel_deadline: s.cancel_deadline ? JSON.stringify(s.cancel_deadline) : null,
        booking_window_days: s.booking_window_days ?? null,
        booking_unit: s.booking_unit ?? 'day',
        capacity: s.capacity ?? null,
        capacity_split: s.capacity_split ?? 'none',
        capacity_groups: JSON.stringify(s.capacity_groups ?? []),
      })
      .onConflict(['school_year_id', 'name'])
      .ignore();
    const row = (await db('services').where({ school_year_id: YEAR, name: s.name }).first('id')) as {
      id: number;
    };
    if (s.public_schools) {
      for (const school of schools)
        await db('service_schools')
          .insert({ service_id: row.id, school_id: school.id })
          .onConflict(['service_id', 'school_id'])
          .ignore();
    }
    for (const [code, rule] of s.requirements) {
      // Document types come from seeds/040-documents.ts: skip a requirement whose type is absent.
      const type = (await db('document_types').where({ code }).first('id')) as { id: number } | undefined;
      if (!type) continue;
      await db('service_requirements')
        .insert({ service_id: row.id, document_type_id: type.id, rule })
        .onConflict(['service_id', 'document_type_id'])
        .ignore();
    }
  }
  if (deps.config.DEMO_FAMILIES) await seedDemoEnrolments(deps, YEAR);
}
