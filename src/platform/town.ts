// The town's identity (one row). Cached for a minute: it changes a few times in a town's life,
// and a minute's lag between instances is harmless.
import type { Db } from './db.js';

export interface Town {
  name: string;
  address: string;
  postcode: string;
  city: string;
  phone: string;
  email: string;
  logo_text: string;
  siret: string | null;
  website: string | null;
}

let cache: { at: number; db: Db; town: Town | null } | null = null;

export async function getTown(db: Db): Promise<Town | null> {
  const now = Date.now();
  if (cache && cache.db === db && now - cache.at < 60_000) return cache.town;
  const town = ((await db('town').first()) as Town | undefined) ?? null;
  cache = { at: now, db, town };
  return town;
}

export function clearTownCache(): void {
  cache = null;
}
