import type { Feature } from '../features.js';

export const enrolmentsFeature: Feature = { name: 'enrolments' };
