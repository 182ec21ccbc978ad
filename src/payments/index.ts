import type { Feature } from '../features.js';

export const paymentsFeature: Feature = { name: 'payments' };
