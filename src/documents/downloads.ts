// Downloads of a document's pages: by its household's guardians, or by staff (each view audited).
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { tFr } from '../web/i18n.js';
import { fileAt, findForHousehold, findView, type DocumentView } from './repository.js';

export function createDownloadsService(deps: AppDeps) {
  const { db, storage } = deps;

  async function readFile(doc: DocumentView, position: number) {
    const file = await fileAt(db, doc.id, position);
    if (!file) return undefined;
    const data = await storage.get(file.storage_key);
    const n =
      doc.file_count > 1 ? tFr('documents.download.page', { n: position, count: doc.file_count }) : '';
    const date = DateTime.fromJSDate(doc.uploaded_at).setZone('Europe/Paris').toISODate();
    const ext =
      file.mime_type === 'application/pdf'
        ? 'pdf'
        : file.mime_type.split('/')[1] === 'jpeg'
          ? 'jpg'
          : file.mime_type.split('/')[1];
    const name = `${[doc.type_name, doc.child_first_name, date].filter(Boolean).join(' - ')}${n}.${ext}`;
    return { doc, file, data, downloadName: name };
  }

  return {
    /** A page of a document, for its household's guardians; undefined when it is not theirs. */
    async fileForHousehold(householdId: number, id: number, position: number) {
      const doc = await findForHousehold(db, householdId, id);
      if (!doc) return undefined;
      return readFile(doc, position);
    },

    /** A page of any document, for staff; each view is an audit event. */
    async fileForStaff(id: number, position: number, actor: Actor) {
      const doc = await findView(db, id);
      if (!doc) return undefined;
      const file = await readFile(doc, position);
      if (file)
        await deps.audit.record(
          db,
          actor,
          'documents.file_viewed',
          { type: 'document', id },
          { householdId: doc.household_id, page: position },
        );
      return file;
    },
  };
}
