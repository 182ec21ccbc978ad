// SQL for the staff side's reads: the household search and the household's history. No rules
// here.
import type { Queryable } from '../platform/db.js';

export interface SearchRow {
  id: number;
  family_number: string;
  email: string | null;
  postcode: string | null;
  city: string | null;
  guardians: string | null;
  children: string | null;
}

/**
 * Staff search: a family number, an email (household's or an account's), a name fragment (either
 * order, accent-insensitive) or 4+ digits of a phone number. One statement for the page and the
 * total. Each way of matching is its own branch, so that each can use its trigram index (migrations
 * 080200, 080300 and 20261206100000: the expressions here are the indexes' own) instead of one OR
 * evaluated on every household. The branches give ids (members', accounts', households'), which
 * are looked up with `= ANY (ARRAY(…))`: index scans for the few hundred a name finds, where joining
 * made PostgreSQL read all of household_members and households. Each pattern is computed once, in
 * a scalar subquery: the statement is prepared (src/platform/db.ts) and its generic plan would
 * otherwise recompute `lower(f_unaccent($n))` for every candidate row the index gives back (all of
 * them for a term of fewer than 3 letters, which has no trigram).
 */
export async function searchHouseholds(
  q: Queryable,
  text: string,
  page: number,
  pageSize: number,
): Promise<{ rows: SearchRow[]; count: number }> {
  const term = text.trim();
  const like = `%${term.replace(/[%_\\]/g, '\\$&')}%`;
  const digits = term.replace(/\D/g, '');
  const phones = digits.length >= 4;
  let where = '';
  const bindings: (string | number)[] = [];
  if (term) {
    where = `WHERE h.id = ANY (ARRAY(
        SELECT id FROM households WHERE upper(family_number) LIKE (SELECT upper(?))
        UNION ALL SELECT id FROM households WHERE lower(email) LIKE (SELECT lower(?))
        ${phones ? `UNION ALL SELECT id FROM households WHERE regexp_replace(coalesce(phone_mobile,'') || ' ' || coalesce(phone_home,'') || ' ' || coalesce(phone_work,''), '\\D', '', 'g') LIKE ?` : ''}
        UNION ALL SELECT household_id FROM household_accounts WHERE account_id = ANY (ARRAY(SELECT id FROM accounts WHERE lower(email) LIKE (SELECT lower(?))))
        UNION ALL SELECT household_id FROM household_members WHERE member_id = ANY (ARRAY(
          -- search_name holds "last first | first last", unaccented and lowercased (migration 080300).
          SELECT id FROM members WHERE deleted_at IS NULL AND search_name LIKE (SELECT lower(f_unaccent(?)))
          ${phones ? `UNION ALL SELECT id FROM members WHERE deleted_at IS NULL AND regexp_replace(coalesce(phone,'') || ' ' || coalesce(phone2,''), '\\D', '', 'g') LIKE ?` : ''}))))`;
    bindings.push(
      like,
      like,
      ...(phones ? [`%${digits}%`] : []),
      like,
      like,
      ...(phones ? [`%${digits}%`] : []),
    );
  }
  const { rows } = await q.raw(
    `SELECT h.id, h.family_number, h.email, h.postcode, h.city, n.guardians, n.children, f.total
       FROM (SELECT h.id, h.family_number, count(*) OVER () AS total FROM households h
              ${where}
              ORDER BY h.family_number LIMIT ? OFFSET ?) f
       JOIN households h ON h.id = f.id
       -- The page's names: one pass over each household's members for both lists.
       CROSS JOIN LATERAL (
         SELECT string_agg(m.first_name || ' ' || m.last_name, ', ' ORDER BY m.id) FILTER (WHERE m.kind = 'guardian') AS guardians,
                string_agg(m.first_name || ' ' || m.last_name, ', ' ORDER BY m.birth_date) FILTER (WHERE m.kind = 'child') AS children
           FROM household_members hm JOIN members m ON m.id = hm.member_id
          WHERE hm.household_id = h.id AND m.deleted_at IS NULL) n
      ORDER BY f.family_number`,
    [...bindings, pageSize, (page - 1) * pageSize],
  );
  const found = rows as (SearchRow & { total: number })[];
  // A page past the end has no row to carry the total: count apart (rare: a hand-edited URL).
  let count = found[0]?.total ?? 0;
  if (!found.length && page > 1) count = (await searchHouseholds(q, text, 1, 1)).count;
  return { rows: found.map(({ total: _total, ...row }) => row), count };
}

/** The household's history: audit events about it, newest first. */
export const householdHistory = (q: Queryable, householdId: number, limit = 100) =>
  q('audit_events as e')
    .leftJoin('accounts as a', 'a.id', 'e.actor_account_id')
    .where({ 'e.subject_type': 'household', 'e.subject_id': String(householdId) })
    .orderBy('e.id', 'desc')
    .limit(limit)
    .select(
      'e.id',
      'e.at',
      'e.action',
      'e.actor_role',
      'e.details',
      q.raw("coalesce(a.first_name || ' ' || a.last_name, '') as actor_name"),
    ) as Promise<
    {
      id: number;
      at: Date;
      action: string;
      actor_role: string | null;
      details: Record<string, unknown>;
      actor_name: string;
    }[]
  >;
