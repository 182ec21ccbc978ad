// Per-object authorisation for parents: everything is looked up through the household of the
// logged-in account, never by bare id. Every feature uses these.
import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../platform/db.js';
import { HttpError } from '../web/errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The household of the logged-in parent (set by withHousehold). */
    householdId?: number;
  }
}

export async function householdIdOf(q: Queryable, accountId: number): Promise<number | null> {
  const row = await q('household_accounts').where({ account_id: accountId }).first('household_id');
  return row ? Number(row.household_id) : null;
}

/** For parent routes: sets req.householdId, or sends a parent without a household to create or link one. */
export function withHousehold() {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.account) return next(new HttpError(403));
    // Read with the account at the start of the request (loadAccount, src/web/auth.ts): no query of its own.
    const id = req.account.householdId;
    if (!id) return res.redirect(303, '/household/start');
    req.householdId = id;
    next();
  };
}

export function currentHouseholdId(req: Request): number {
  if (!req.householdId) throw new HttpError(403);
  return req.householdId;
}

export interface ChildRow {
  id: number;
  first_name: string;
  last_name: string;
  birth_date: string;
  sex: string | null;
  school_id: number | null;
  class_level: string | null;
  diet: string | null;
  allergies: string | null;
  has_pai: boolean;
  custody_weeks: 'odd' | 'even' | null;
}

/** A child of the household (alternating custody included), or undefined: callers answer 404. */
export async function findChildOfHousehold(q: Queryable, householdId: number, childId: number): Promise<ChildRow | undefined> {
  if (!Number.isSafeInteger(childId)) return undefined;
  return q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.id': childId, 'm.kind': 'child' })
    .whereNull('m.deleted_at')
    .first('m.*', 'hm.custody_weeks') as Promise<ChildRow | undefined>;
}

export async function childrenOfHousehold(q: Queryable, householdId: number): Promise<ChildRow[]> {
  return q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.kind': 'child' })
    .whereNull('m.deleted_at')
    .orderBy([{ column: 'm.birth_date', order: 'asc' }, { column: 'm.id' }])
    .select('m.*', 'hm.custody_weeks') as Promise<ChildRow[]>;
}

/** Parses a route id; anything that is not a positive integer is a 404. */
export function idParam(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new HttpError(404);
  return n;
}
