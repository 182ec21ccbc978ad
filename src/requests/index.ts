import type { Feature } from '../features.js';

export const requestsFeature: Feature = { name: 'requests' };
