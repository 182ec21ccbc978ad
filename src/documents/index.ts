// The document vault: parents upload once, every enrolment reuses; staff check; daily expiry.
import type { Feature } from '../features.js';
import { documentsAdminRoutes } from './admin-routes.js';
import { documentsRoutes } from './routes.js';
import { createDocumentsService } from './service.js';

export const documentsFeature: Feature = {
  name: 'documents',
  routes: documentsRoutes,
  adminRoutes: documentsAdminRoutes,
  adminLinks: [
    { href: '/admin/documents', label: 'documents.admin.queue.title', roles: ['agent', 'manager', 'admin'] },
    {
      href: '/admin/documents/upload',
      label: 'documents.admin.upload.title',
      roles: ['agent', 'manager', 'admin'],
    },
    { href: '/admin/document-types', label: 'documents.types.title', roles: ['admin'] },
  ],
  jobs: (deps) => [
    {
      name: 'daily.documents-expiry',
      cron: '30 6 * * *',
      handler: async () => {
        await createDocumentsService(deps).runExpiry();
      },
    },
  ],
};
