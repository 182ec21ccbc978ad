// Requests (démarches): anything a parent asks that staff must handle. Every status change
// and message is a dated event, emailed to the parent. Features declare their request types
// in their index.ts (wired into deps.hooks by src/features.ts) with a hook that runs, in the
// same transaction, when staff decide.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { randomCode } from '../platform/codes.js';
import { isUniqueViolation, withTransaction, type Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import {
  findRequest,
  insertEvent,
  insertRequest,
  OPEN_STATUSES,
  updateRequest,
  type RequestRow,
  type RequestStatus,
} from './repository.js';

/** A block of facts shown on the staff request page (e.g. the child, the family, the documents). */
export interface StaffDetailSection {
  /** Already translated. */
  title: string;
  rows: { label: string; value: string; href?: string }[];
}

export interface RequestTypeHooks {
  /**
   * Runs in the decision's transaction when the status changes (staff accept, refuse, ask for
   * more, or the parent cancels). `deps` gives the audit log, the outbox and the clock.
   */
  onStatus?: (
    tx: Tx,
    request: RequestRow,
    status: RequestStatus,
    actor: Actor,
    deps: AppDeps,
  ) => Promise<void>;
  /** What staff need beside the request to decide it, shown on /admin/requests/<id>. */
  staffDetails?: (deps: AppDeps, request: RequestRow) => Promise<StaffDetailSection[]>;
  /**
   * Where staff accept this type, when accepting needs a form of its own (a rate update: the QF and
   * its dates). The request page then offers that link instead of a plain "Accepter" that would fail.
   */
  acceptAt?: (request: RequestRow) => { href: string; label: string };
}

export type Side = 'parent' | 'staff' | 'system';

export function createRequestsService(deps: AppDeps) {
  async function notify(tx: Tx, request: RequestRow, key: string, params: Record<string, unknown> = {}) {
    const owner = request.account_id
      ? await tx('accounts').where({ id: request.account_id }).first('email')
      : null;
    const to = (owner?.email as string | undefined) ?? (request.data.contact_email as string | undefined);
    if (!to) return;
    const town = await getTown(deps.db);
    const type = tFr(`requests.types.${request.type}`);
    await deps.outbox.enqueue(tx, {
      to,
      kind: `requests.${key}`,
      content: {
        townName: town?.name ?? '',
        subject: tFr(`requests.emails.${key}.subject`, { type, code: request.tracking_code }),
        paragraphs: [tFr(`requests.emails.${key}.text`, { type, code: request.tracking_code, ...params })],
        action: request.account_id
          ? { label: tFr('requests.emails.follow'), url: `${deps.config.baseUrl}/requests/${request.id}` }
          : undefined,
      },
    });
  }

  async function setStatus(
    tx: Tx,
    request: RequestRow,
    status: RequestStatus,
    actor: Actor,
    side: Side,
    message: string | null,
  ) {
    const now = deps.clock.now();
    const decided = status === 'accepted' || status === 'refused';
    await updateRequest(tx, request.id, {
      status,
      updated_at: now,
      ...(decided ? { decided_at: now, decided_by: actor.accountId } : {}),
    });
    await insertEvent(tx, {
      request_id: request.id,
      at: now,
      actor_account_id: actor.accountId,
      actor_side: side,
      status,
      message,
      document_id: null,
    });
    const updated = { ...request, status };
    await deps.hooks.requestTypes.get(request.type)?.onStatus?.(tx, updated, status, actor, deps);
    if (side === 'staff')
      await deps.audit.record(
        tx,
        actor,
        `requests.${status}`,
        { type: 'request', id: request.id },
        { requestType: request.type },
      );
    await notify(tx, updated, `status_${status}`, { message: message ?? '' });
    return updated;
  }

  return {
    /** Files a request (status "déposée") in the caller's transaction; returns its id and tracking code. */
    async create(
      tx: Tx,
      input: {
        type: string;
        accountId: number | null;
        householdId: number | null;
        childId?: number | null;
        summary: string;
        data?: Record<string, unknown>;
        actor: Actor;
        side?: Side;
        message?: string | null;
      },
    ): Promise<RequestRow> {
      if (!deps.hooks.requestTypes.has(input.type)) throw new Error(`unknown request type ${input.type}`);
      const now = deps.clock.now();
      for (let attempt = 0; ; attempt++) {
        const code = randomCode(8);
        try {
          // A savepoint, so that a (very unlikely) duplicate code does not abort the caller's transaction.
          const id = await tx.transaction(async (sp) =>
            insertRequest(sp, {
              type: input.type,
              tracking_code: code,
              account_id: input.accountId,
              household_id: input.householdId,
              child_id: input.childId ?? null,
              status: 'submitted',
              summary: input.summary,
              data: input.data ?? {},
              created_at: now,
              updated_at: now,
            }),
          );
          await insertEvent(tx, {
            request_id: id,
            at: now,
            actor_account_id: input.actor.accountId,
            actor_side: input.side ?? 'parent',
            status: 'submitted',
            message: input.message ?? null,
            document_id: null,
          });
          const request = (await findRequest(tx, id))!;
          await notify(tx, request, 'status_submitted');
          return request;
        } catch (err) {
          if (attempt < 5 && isUniqueViolation(err)) continue;
          throw err;
        }
      }
    },

    /** Staff: take a request in hand ("en cours d'instruction"). */
    async startReview(requestId: number, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const r = await lockOpen(tx, requestId);
        if (r.status === 'in_review') return r;
        return setStatus(tx, r, 'in_review', actor, 'staff', null);
      });
    },

    /** Staff decide: accept, refuse (reason required) or ask for more ("incomplète", message required). */
    async decide(
      requestId: number,
      decision: 'accepted' | 'refused' | 'incomplete',
      actor: Actor,
      message: string | null,
      txIn?: Tx,
    ) {
      const run = async (tx: Tx) => {
        const r = await lockOpen(tx, requestId);
        if ((decision === 'refused' || decision === 'incomplete') && !message?.trim()) {
          throw new FormError(
            'message',
            decision === 'refused' ? 'requests.errors.reasonRequired' : 'requests.errors.messageRequired',
          );
        }
        return setStatus(tx, r, decision, actor, 'staff', message?.trim() || null);
      };
      return txIn ? run(txIn) : withTransaction(deps.db, run);
    },

    /** The parent cancels a request that is not decided yet. */
    async cancel(requestId: number, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const r = await lockOpen(tx, requestId);
        return setStatus(tx, r, 'cancelled', actor, 'parent', null);
      });
    },

    /**
     * A message (and optionally a document) on an open request. When the parent answers a
     * request marked "incomplète", it goes back to "en cours d'instruction".
     */
    async addMessage(
      requestId: number,
      input: { message: string; documentId?: number | null; actor: Actor; side: Side },
      txIn?: Tx,
    ) {
      const run = async (tx: Tx) => {
        const r = await lockOpen(tx, requestId);
        const now = deps.clock.now();
        const reopen = input.side === 'parent' && r.status === 'incomplete';
        await insertEvent(tx, {
          request_id: r.id,
          at: now,
          actor_account_id: input.actor.accountId,
          actor_side: input.side,
          status: null,
          message: input.message.trim() || null,
          document_id: input.documentId ?? null,
        });
        await updateRequest(tx, r.id, { updated_at: now });
        if (reopen) return setStatus(tx, r, 'in_review', input.actor, 'parent', null);
        if (input.side === 'staff') await notify(tx, r, 'message', { message: input.message.trim() });
        return r;
      };
      return txIn ? run(txIn) : withTransaction(deps.db, run);
    },
  };

  async function lockOpen(tx: Tx, requestId: number): Promise<RequestRow> {
    const r = (await tx<RequestRow>('requests').where({ id: requestId }).forUpdate().first()) as
      RequestRow | undefined;
    if (!r) throw new FormError('form', 'requests.errors.notFound');
    if (!OPEN_STATUSES.includes(r.status)) throw new FormError('form', 'requests.errors.alreadyDecided');
    return r;
  }
}

// Reads other features may use (their rows are this feature's: no other feature queries them).
export { findRequest, listEvents, OPEN_STATUSES } from './repository.js';

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { moveHousehold } from './household-move.js';
export { openRequestsOfHousehold } from './repository-household.js';
