import type { Knex } from 'knex';

// Pages are rendered fresh from the tables on each request (issue 20): the derived tables that kept
// rendered pages and month estimates valid go, with every trigger and function that maintained them
// (migrations 20261125090100, 20261206090000, 20261206110000, 20261206120000). The attendance sheet
// reads its pick-ups from the contacts, the dashboard computes its month estimate on read.

/** [table, trigger] pairs, as the four migrations named them. */
const TRIGGERS: [string, string][] = [
  // 20261125090100: authorised pick-ups per child.
  ['household_members', 'child_pickups_membership'],
  ['members', 'child_pickups_member'],
  // 20261206090000: household versions for the stored estimate, and the town's pricing epoch.
  ...['reservations', 'attendance', 'household_members', 'qf_history'].flatMap((table) =>
    ['ins', 'upd', 'del'].map((e): [string, string] => [table, `${table}_estimates_${e}`]),
  ),
  ['households', 'households_estimates_upd'],
  ...['services', 'qf_brackets', 'service_rates', 'service_rate_brackets'].map((table): [string, string] => [
    table,
    `${table}_pricing_epoch`,
  ]),
  // 20261206110000: the rest of the dashboard's tables.
  ...['members', 'requests', 'documents', 'enrolments', 'invoices'].flatMap((table) =>
    ['ins', 'upd', 'del'].map((e): [string, string] => [table, `${table}_versions_${e}`]),
  ),
  ...['schools', 'document_types', 'service_requirements'].map((table): [string, string] => [
    table,
    `${table}_pricing_epoch`,
  ]),
  ...[
    'members',
    'requests',
    'documents',
    'enrolments',
    'invoices',
    'reservations',
    'attendance',
    'household_members',
    'qf_history',
  ].map((table): [string, string] => [table, `${table}_truncate_epoch`]),
  // 20261206120000: the attendance sheet's log of changes.
  ...[
    'members',
    'child_pickups',
    'schools',
    'services',
    'account_sites',
    'calendar_periods',
    'service_day_closures',
    'locked_months',
  ].map((table): [string, string] => [table, `${table}_sheet_change`]),
  ...['ins', 'upd', 'del'].map((e): [string, string] => ['enrolments', `enrolments_sheet_change_${e}`]),
  ['enrolments', 'enrolments_sheet_change_truncate'],
];

const FUNCTIONS = [
  'child_pickups_membership_changed()',
  'child_pickups_member_changed()',
  'refresh_child_pickups(bigint[])',
  'bump_estimates_of_child_rows()',
  'bump_estimates_of_memberships()',
  'bump_estimates_of_household_rows()',
  'bump_estimate_of_household()',
  'bump_pricing_epoch()',
  'bump_households_of_member_rows()',
  'bump_households_of_request_rows()',
  'log_sheet_change()',
  'log_sheet_enrolment_change()',
];

const TABLES = ['child_pickups', 'household_estimates', 'pricing_epoch', 'sheet_changes'];

export async function up(knex: Knex): Promise<void> {
  for (const [table, trigger] of TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
  for (const fn of FUNCTIONS) await knex.raw(`DROP FUNCTION IF EXISTS ${fn}`);
  for (const table of TABLES) await knex.raw(`DROP TABLE IF EXISTS ${table}`);
}

export async function down(): Promise<void> {
  // Nothing to recreate: rolling back further runs the older migrations' own down, which drop
  // these objects only if they exist. No code reads them any more.
}
