// The answer page of a booking, a cancellation or a sick declaration (parents' and the desk's):
// what it did, kept in the session until /reservations/result shows it once.
import type { Request } from 'express';
import type { AppDeps } from '../deps.js';
import type { ChildRow } from '../households/access.js';
import * as repo from './repository.js';
import type { Outcome } from './service.js';

declare module '../web/types.js' {
  interface SessionData {
    /** What the last booking/cancellation did, shown once on /reservations/result. */
    reservationOutcome: StoredOutcome;
  }
}

export interface StoredOutcome {
  action: 'book' | 'cancel' | 'sick';
  returnTo: string;
  items: {
    childId: number;
    child: string;
    serviceId: number;
    service: string;
    day: string;
    result: string;
  }[];
}

/** The answer page's content (parent and desk bookings); the names are read only if the outcomes do not carry them. */
export async function rememberOutcome(
  deps: AppDeps,
  req: Request,
  action: StoredOutcome['action'],
  outcomes: (Outcome<string> & { service?: string; child?: string })[],
  children: Pick<ChildRow, 'id' | 'first_name'>[],
  returnTo: string,
): Promise<void> {
  const missing = [...new Set(outcomes.filter((o) => o.service === undefined).map((o) => o.serviceId))];
  const services = new Map(
    missing.length ? (await repo.servicesByIds(deps.db, missing)).map((s) => [s.id, s.name]) : [],
  );
  req.session.reservationOutcome = {
    action,
    returnTo,
    items: outcomes.map((o) => ({
      ...o,
      child: o.child ?? children.find((c) => c.id === o.childId)?.first_name ?? '',
      service: o.service ?? services.get(o.serviceId) ?? '',
    })),
  };
}

/** Outcomes grouped per child and service, then per result, for the answer page. */
export function groupOutcome(outcome: StoredOutcome) {
  const groups = new Map<
    string,
    { child: string; service: string; byResult: Map<string, typeof outcome.items> }
  >();
  for (const item of outcome.items) {
    const key = `${item.childId}|${item.serviceId}`;
    if (!groups.has(key)) groups.set(key, { child: item.child, service: item.service, byResult: new Map() });
    const g = groups.get(key)!;
    g.byResult.set(item.result, [...(g.byResult.get(item.result) ?? []), item]);
  }
  return [...groups.values()].map((g) => ({
    ...g,
    results: [...g.byResult.entries()].map(([result, items]) => ({ result, items })),
  }));
}
