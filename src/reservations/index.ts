import type { Feature } from '../features.js';

export const reservationsFeature: Feature = { name: 'reservations' };
