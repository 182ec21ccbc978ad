// Fixtures shared by the reservations tests: a family with enrolled children and a service.
import { createEnrolment, createFamily, createService, loginAs, type TestContext } from '../support/index.js';

export async function enrolledFamily(
  ctx: TestContext,
  serviceOverrides: Record<string, unknown> = {},
  children: Parameters<typeof createFamily>[1] = [{ firstName: 'Léa' }],
  serviceArg?: { id: number },
) {
  const service = serviceArg ?? (await createService(ctx.deps, serviceOverrides));
  const { parent, household } = await createFamily(ctx.deps, children);
  for (const child of household.children)
    await createEnrolment(ctx.deps, { childId: child.id, serviceId: service.id, householdId: household.id });
  const browser = await loginAs(ctx, parent);
  return { service, parent, household, browser, child: household.children[0]! };
}

export const slot = (childId: number, serviceId: number, day: string) => `${childId}:${serviceId}:${day}`;

export async function live(ctx: TestContext, where: Record<string, unknown>) {
  return ctx.db('reservations').where(where).whereIn('status', ['booked', 'waiting', 'sick']).orderBy('day');
}
