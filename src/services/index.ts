import type { Feature } from '../features.js';

export const servicesFeature: Feature = { name: 'services' };
