// The fictional town of Saint-Exemple: identity, schools, streets and the 2026-2027 calendar.
import type { AppDeps } from '../src/deps.js';

export const SCHOOL_YEAR = '2026-2027';

const SCHOOLS = [
  {
    name: 'École élémentaire Jules-Ferry',
    kind: 'elementary',
    is_public: true,
    runs_own_canteen: false,
    address: '12 rue des Écoles, 49999 Saint-Exemple',
    class_levels: ['CP', 'CE1', 'CE2', 'CM1', 'CM2'],
    canteen_contact: null,
  },
  {
    name: 'École maternelle Les Tilleuls',
    kind: 'nursery',
    is_public: true,
    runs_own_canteen: false,
    address: '3 allée des Tilleuls, 49999 Saint-Exemple',
    class_levels: ['PS', 'MS', 'GS'],
    canteen_contact: null,
  },
  {
    name: 'École privée Sainte-Marie',
    kind: 'private',
    is_public: false,
    runs_own_canteen: true,
    address: '8 place de l’Église, 49999 Saint-Exemple',
    class_levels: ['PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2'],
    canteen_contact: 'OGEC Sainte-Marie, 02 99 00 12 34, ogec.sainte-marie@saint-exemple.test',
  },
];

// About thirty streets; the first half go to Jules-Ferry/Les Tilleuls, all public schools here.
const STREETS = [
  'Allée des Acacias',
  'Allée des Tilleuls',
  'Avenue de la Gare',
  'Avenue de la République',
  'Avenue Jean-Jaurès',
  'Boulevard Pasteur',
  'Chemin de la Fontaine',
  'Chemin des Vignes',
  'Impasse des Lilas',
  'Impasse du Moulin',
  'Place de la Mairie',
  'Place de l’Église',
  'Place du Marché',
  'Rue Abbé-Grégoire',
  'Rue Anatole-France',
  'Rue de la Liberté',
  'Rue de la Paix',
  'Rue de l’Écluse',
  'Rue des Écoles',
  'Rue des Jardins',
  'Rue du Château',
  'Rue du Four',
  'Rue Émile-Zola',
  'Rue Éloïse-Martin',
  'Rue Gambetta',
  'Rue Louise-Michel',
  'Rue Nationale',
  'Rue Victor-Hugo',
  'Route de Nantes',
  'Sentier des Écoliers',
];

const CALENDAR: { kind: string; name: string; starts_on: string; ends_on: string }[] = [
  { kind: 'school', name: 'Année scolaire 2026-2027', starts_on: '2026-09-01', ends_on: '2027-07-02' },
  { kind: 'holiday', name: 'Vacances de la Toussaint', starts_on: '2026-10-17', ends_on: '2026-11-01' },
  { kind: 'holiday', name: 'Vacances de Noël', starts_on: '2026-12-19', ends_on: '2027-01-03' },
  { kind: 'holiday', name: 'Vacances d’hiver', starts_on: '2027-02-20', ends_on: '2027-03-07' },
  { kind: 'holiday', name: 'Vacances de printemps', starts_on: '2027-04-17', ends_on: '2027-05-02' },
  { kind: 'holiday', name: 'Vacances d’été', starts_on: '2027-07-03', ends_on: '2027-08-31' },
  { kind: 'public_holiday', name: 'Armistice', starts_on: '2026-11-11', ends_on: '2026-11-11' },
  { kind: 'public_holiday', name: 'Noël', starts_on: '2026-12-25', ends_on: '2026-12-25' },
  { kind: 'public_holiday', name: 'Jour de l’an', starts_on: '2027-01-01', ends_on: '2027-01-01' },
  { kind: 'public_holiday', name: 'Lundi de Pâques', starts_on: '2027-03-29', ends_on: '2027-03-29' },
  { kind: 'public_holiday', name: 'Ascension', starts_on: '2027-05-06', ends_on: '2027-05-06' },
  { kind: 'public_holiday', name: 'Pont de l’Ascension', starts_on: '2027-05-07', ends_on: '2027-05-07' },
  { kind: 'public_holiday', name: 'Lundi de Pentecôte', starts_on: '2027-05-17', ends_on: '2027-05-17' },
];

export async function seed(deps: AppDeps): Promise<void> {
  const { db } = deps;
  await db('town')
    .insert({
      id: 1,
      name: 'Ville de Saint-Exemple',
      address: '1 place de la Mairie',
      postcode: '49999',
      city: 'Saint-Exemple',
      phone: '02 99 00 00 00',
      email: 'enfance@saint-exemple.test',
      logo_text: 'Ville de Saint-Exemple',
      siret: '21499999900017',
      website: 'https://www.saint-exemple.test',
    })
    .onConflict('id')
    .ignore();

  for (const s of SCHOOLS) await db('schools').insert(s).onConflict('name').ignore();
  const schools = await db('schools').select('id', 'kind');
  const elementary = schools.find((s) => s.kind === 'elementary')?.id;
  const nursery = schools.find((s) => s.kind === 'nursery')?.id;
  for (const name of STREETS) {
    await db('streets')
      .insert({ name, elementary_school_id: elementary, nursery_school_id: nursery })
      .onConflict('name')
      .ignore();
  }

  await db('school_years')
    .insert({ id: SCHOOL_YEAR, starts_on: '2026-09-01', ends_on: '2027-07-02' })
    .onConflict('id')
    .ignore();
  for (const p of CALENDAR) {
    await db('calendar_periods')
      .insert({ school_year_id: SCHOOL_YEAR, ...p })
      .onConflict(['school_year_id', 'kind', 'starts_on'])
      .ignore();
  }
}
