// Where the PayFiP stand-in keeps its operations. The in-memory store serves one process
// (tests, a single dev server); with several app processes, pass a shared (PostgreSQL-backed)
// store so that whichever process serves the page, the choice or the result query sees the
// same operation.

import type { CreerPaiementSecuriseArgs } from './soap.js';

/** PayFiP resultrans: P paid by card, V paid by direct debit, A abandoned, R refused, Z debit refused. */
export type StandinResultCode = 'P' | 'V' | 'A' | 'R' | 'Z';

export interface StandinResult {
  resultrans: StandinResultCode;
  /** Authorisation number ('' when not paid). */
  numauto: string;
  /** JJMMAAAA, Europe/Paris. */
  dattrans: string;
  /** HHMM, Europe/Paris. */
  heurtrans: string;
  /** The instant the payer chose (injected clock). */
  decidedAt: Date;
}

/** An operation: the creerPaiementSecurise arguments as received (strings, montant in cents), and what followed. */
export interface StandinOperation extends CreerPaiementSecuriseArgs {
  idOp: string;
  /** Random value the payment page's form must send back: the stand-in's own CSRF protection. */
  nonce: string;
  /** Injected clock; the operation expires 15 minutes later if nobody has chosen. */
  createdAt: Date;
  /** null until the payer chooses; set once. */
  result: StandinResult | null;
}

interface StandinPatch {
  result: StandinResult;
}

/**
 * Operations of the stand-in. Implementations return copies (a caller changing an object it
 * got must not change the store) and give Dates back as Date objects.
 */
export interface StandinStore {
  /** Saves a new operation (idOp is unique). */
  put(op: StandinOperation): Promise<void>;
  get(idOp: string): Promise<StandinOperation | undefined>;
  /**
   * Records the payer's choice only if none is recorded yet: a compare-and-set, so that a
   * double click or two processes cannot decide one operation twice. In SQL:
   * `UPDATE … SET result = ? WHERE id_op = ? AND result IS NULL`.
   * Resolves true when this call recorded it, false when the operation is unknown or was
   * already decided.
   */
  update(idOp: string, patch: StandinPatch): Promise<boolean>;
}

export function createMemoryStandinStore(): StandinStore {
  const operations = new Map<string, StandinOperation>();
  return {
    async put(op) {
      if (operations.has(op.idOp)) throw new Error(`stand-in operation ${op.idOp} already exists`);
      operations.set(op.idOp, structuredClone(op));
    },
    async get(idOp) {
      const op = operations.get(idOp);
      return op ? structuredClone(op) : undefined;
    },
    async update(idOp, patch) {
      const op = operations.get(idOp);
      if (!op || op.result) return false;
      op.result = structuredClone(patch.result);
      return true;
    },
  };
}
