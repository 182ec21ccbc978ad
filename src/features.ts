// The features of the portal, mounted in this order. Each folder src/<feature>/index.ts exports one.
import type { Router } from 'express';
import type { AppDeps, FeatureHooks } from './deps.js';
import type { RequestTypeHooks } from './requests/service.js';
import type { InvoicesIssuedHook } from './billing/service.js';
import type { JobDefinition } from './platform/jobs.js';
import type { Role } from './web/types.js';
import { pagesFeature } from './pages/index.js';
import { accountsFeature } from './accounts/index.js';
import { householdsFeature } from './households/index.js';
import { requestsFeature } from './requests/index.js';
import { documentsFeature } from './documents/index.js';
import { servicesFeature } from './services/index.js';
import { enrolmentsFeature } from './enrolments/index.js';
import { reservationsFeature } from './reservations/index.js';
import { billingFeature } from './billing/index.js';
import { paymentsFeature } from './payments/index.js';
import { dashboardFeature } from './dashboard/index.js';
import { adminFeature } from './admin/index.js';

export interface AdminLink {
  href: string;
  /** Catalogue key of the link's text. */
  label: string;
  /** Roles that see the link (the routes check again). */
  roles: Role[];
}

export interface Feature {
  name: string;
  /** Parent-facing and public routes. */
  routes?: (deps: AppDeps) => Router;
  /** Staff routes, mounted under /admin (the staff guard is already applied). */
  adminRoutes?: (deps: AppDeps) => Router;
  /** Entries of the staff home page. */
  adminLinks?: AdminLink[];
  jobs?: (deps: AppDeps) => JobDefinition[];
  /** The request types (démarches) this feature handles, by type. */
  requestTypes?: Record<string, RequestTypeHooks>;
  /** Runs in the transaction that issues invoices. */
  onInvoicesIssued?: InvoicesIssuedHook;
  /** Provides deps.hooks.priceBox (billing). */
  priceBox?: FeatureHooks['priceBox'];
}

/** Every feature but the admin's, whose staff home lists their links. */
const featuresBelowAdmin: Feature[] = [
  pagesFeature,
  accountsFeature,
  householdsFeature,
  requestsFeature,
  documentsFeature,
  servicesFeature,
  enrolmentsFeature,
  reservationsFeature,
  billingFeature,
  paymentsFeature,
  dashboardFeature,
];

export const features: Feature[] = [
  ...featuresBelowAdmin,
  adminFeature(featuresBelowAdmin.flatMap((f) => f.adminLinks ?? [])),
];

/** The hooks the features declare, for deps (src/compose.ts). */
export function featureHooks(list: Feature[] = features): FeatureHooks {
  return {
    requestTypes: new Map(list.flatMap((f) => Object.entries(f.requestTypes ?? {}))),
    invoicesIssued: list.flatMap((f) => (f.onInvoicesIssued ? [f.onInvoicesIssued] : [])),
    priceBox: list.find((f) => f.priceBox)?.priceBox ?? null,
  };
}
