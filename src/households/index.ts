import type { Feature } from '../features.js';

export const householdsFeature: Feature = { name: 'households' };
