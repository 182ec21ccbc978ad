// The document types (admins): what parents may upload, for whom, and how long it stays valid.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { findTypeByCode, insertType, listTypes, updateType } from './repository.js';
import type { DocumentTypeForm } from './schemas.js';

export function createDocumentTypesService(deps: AppDeps) {
  const { db } = deps;

  return {
    types: (activeOnly = false) => listTypes(db, { activeOnly }),
    findTypeByCode: (code: string) => findTypeByCode(db, code),

    async saveType(id: number | null, form: DocumentTypeForm, actor: Actor): Promise<number> {
      return withTransaction(db, async (tx) => {
        const row = {
          name: form.name,
          description: form.description || null,
          scope: form.scope,
          validity_rule: form.validity_rule,
          validity_months: form.validity_rule === 'months' ? Number(form.validity_months) : null,
          active: form.active,
        };
        let typeId = id;
        if (typeId === null) {
          if (await findTypeByCode(tx, form.code)) throw new FormError('code', 'documents.errors.codeTaken');
          typeId = await insertType(tx, { code: form.code, ...row });
        } else {
          await updateType(tx, typeId, row);
        }
        await deps.audit.record(
          tx,
          actor,
          id === null ? 'documents.type_created' : 'documents.type_updated',
          { type: 'document_type', id: typeId },
          { code: form.code },
        );
        return typeId;
      });
    },
  };
}
