// Possible duplicates of a household about to be created: open households sharing its email,
// one of its phone numbers, its guardian's name with its address, or a child's name and birth
// date. Staff see the candidates (and may create anyway); a parent is only ever told about a
// household that holds their own verified email, with no detail (see duplicates-service.ts).
import type { Queryable } from '../platform/db.js';

type DuplicateReason = 'email' | 'phone' | 'guardian' | 'child';

export interface DuplicateCandidate {
  id: number;
  family_number: string;
  guardians: string | null;
  postcode: string | null;
  city: string | null;
  reasons: DuplicateReason[];
}

export interface DuplicateProbe {
  email?: string | null;
  phones?: (string | null | undefined)[];
  /** The guardian's name, matched together with the same street and number (or address line). */
  guardian?: {
    first_name: string;
    last_name: string;
    street_id?: number | null;
    house_number?: string | null;
    address_line?: string | null;
  };
  children?: { first_name: string; last_name: string; birth_date: string }[];
  /** A household not to report (the one just created). */
  excludeId?: number;
}

const digitsOf = (phone: string | null | undefined) => (phone ?? '').replace(/\D/g, '');
const SAME_NAME = (col: string, param: string) => `lower(f_unaccent(${col})) = lower(f_unaccent(${param}))`;

/** Open households that look like the one described; at most `limit`, most reasons first. */
export async function findDuplicates(
  q: Queryable,
  probe: DuplicateProbe,
  limit = 10,
): Promise<DuplicateCandidate[]> {
  const email = probe.email?.trim().toLowerCase() || null;
  const phones = [...new Set((probe.phones ?? []).map(digitsOf).filter((d) => d.length >= 9))];
  const g = probe.guardian;
  const children = probe.children ?? [];
  const { rows } = (await q.raw(
    `WITH hits AS (
       SELECT h.id, 'email' AS reason FROM households h WHERE :email::text IS NOT NULL AND lower(h.email) = :email
       UNION ALL SELECT hm.household_id, 'email' FROM members m JOIN household_members hm ON hm.member_id = m.id
        WHERE :email::text IS NOT NULL AND m.kind = 'guardian' AND m.deleted_at IS NULL AND lower(m.email) = :email
       UNION ALL SELECT ha.household_id, 'email' FROM household_accounts ha JOIN accounts a ON a.id = ha.account_id
        WHERE :email::text IS NOT NULL AND lower(a.email) = :email
       UNION ALL SELECT h.id, 'phone' FROM households h, unnest(ARRAY[h.phone_mobile, h.phone_home, h.phone_work]) p
        WHERE regexp_replace(coalesce(p, ''), '\\D', '', 'g') = ANY(:phones::text[])
       UNION ALL SELECT hm.household_id, 'phone' FROM members m JOIN household_members hm ON hm.member_id = m.id,
              unnest(ARRAY[m.phone, m.phone2]) p
        WHERE m.kind = 'guardian' AND m.deleted_at IS NULL AND regexp_replace(coalesce(p, ''), '\\D', '', 'g') = ANY(:phones::text[])
       UNION ALL SELECT h.id, 'guardian' FROM households h JOIN household_members hm ON hm.household_id = h.id
              JOIN members m ON m.id = hm.member_id AND m.kind = 'guardian' AND m.deleted_at IS NULL
        WHERE :gLast::text IS NOT NULL AND ${SAME_NAME('m.last_name', ':gLast')} AND ${SAME_NAME('m.first_name', ':gFirst')}
          AND ((h.street_id = :gStreet::int AND lower(coalesce(h.house_number, '')) = lower(coalesce(:gNumber::text, '')))
               OR (h.street_id IS NULL AND ${SAME_NAME("coalesce(h.address_line, '')", "coalesce(:gLine::text, '-')")}))
       UNION ALL SELECT hm.household_id, 'child' FROM members m JOIN household_members hm ON hm.member_id = m.id
              JOIN jsonb_to_recordset(:children::jsonb) AS c(first_name text, last_name text, birth_date date)
                ON m.birth_date = c.birth_date AND ${SAME_NAME('m.last_name', 'c.last_name')} AND ${SAME_NAME('m.first_name', 'c.first_name')}
        WHERE m.kind = 'child' AND m.deleted_at IS NULL
     )
     SELECT h.id, h.family_number, h.postcode, h.city,
            array_agg(DISTINCT hits.reason) AS reasons,
            (SELECT string_agg(m.first_name || ' ' || m.last_name, ', ' ORDER BY m.id)
               FROM household_members hm JOIN members m ON m.id = hm.member_id
              WHERE hm.household_id = h.id AND m.kind = 'guardian' AND m.deleted_at IS NULL) AS guardians
       FROM hits JOIN households h ON h.id = hits.id
      WHERE h.merged_into_id IS NULL AND h.id <> :exclude::bigint
      GROUP BY h.id
      ORDER BY count(DISTINCT hits.reason) DESC, h.id
      LIMIT :limit`,
    {
      email,
      phones,
      gLast: g?.last_name ?? null,
      gFirst: g?.first_name ?? null,
      gStreet: g?.street_id ?? null,
      gNumber: g?.house_number ?? null,
      gLine: g?.address_line ?? null,
      children: JSON.stringify(children),
      exclude: probe.excludeId ?? 0,
      limit,
    },
  )) as { rows: DuplicateCandidate[] };
  return rows;
}
