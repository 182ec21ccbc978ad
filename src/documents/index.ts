import type { Feature } from '../features.js';

export const documentsFeature: Feature = { name: 'documents' };
