// A household's stamp: its version (household_estimates.version) and the town's epoch
// (pricing_epoch) as one text, '12.3'. Triggers bump one or the other in every transaction that
// changes a row of the household's dashboard, its month estimate among them (migrations
// 20261206090000 and 20261206110000): a page rendered from rows read with a stamp is still right
// while the stamp is the same (src/web/page-cache.ts). Read with the session's account and with the
// dashboard's rows; its two parts also with the rows an estimate is computed from (billing).

/** The household's version (0 before any bump): `householdId` an SQL expression or a `?` placeholder. */
export const householdVersionSql = (householdId: string) => `coalesce((SELECT e.version FROM household_estimates e WHERE e.household_id = ${householdId}), 0)`;

/** The town's epoch. */
export const TOWN_EPOCH_SQL = '(SELECT version FROM pricing_epoch)';

/** The stamp of the household `householdId` (an SQL expression or a `?` placeholder). */
export const householdStampSql = (householdId: string) => `${householdVersionSql(householdId)} || '.' || ${TOWN_EPOCH_SQL}`;
