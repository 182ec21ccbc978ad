import type { Feature } from '../features.js';

export const billingFeature: Feature = { name: 'billing' };
