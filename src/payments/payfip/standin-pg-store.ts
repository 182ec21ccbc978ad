// The stand-in's operations in PostgreSQL, so that several app processes share them: whichever
// process serves the page, the choice or the result query sees the same operation.
import type { Queryable } from '../../platform/db.js';
import type { StandinOperation, StandinResult, StandinStore } from './standin-store.js';

interface Row {
  id_op: string;
  args: Omit<StandinOperation, 'idOp' | 'nonce' | 'createdAt' | 'result'>;
  nonce: string;
  created_at: Date;
  result: (Omit<StandinResult, 'decidedAt'> & { decidedAt: string }) | null;
}

const ARG_NAMES = [
  'numcli',
  'exer',
  'refdet',
  'objet',
  'montant',
  'mel',
  'urlnotif',
  'urlredirect',
  'saisie',
] as const;

function fromRow(row: Row): StandinOperation {
  const op = {
    idOp: row.id_op,
    nonce: row.nonce,
    createdAt: new Date(row.created_at),
    result: row.result ? { ...row.result, decidedAt: new Date(row.result.decidedAt) } : null,
  } as StandinOperation;
  for (const name of ARG_NAMES) op[name] = String(row.args[name] ?? '');
  return op;
}

export function createPgStandinStore(db: Queryable): StandinStore {
  return {
    async put(op) {
      const args = Object.fromEntries(ARG_NAMES.map((name) => [name, op[name]]));
      await db('standin_operations').insert({
        id_op: op.idOp,
        args: JSON.stringify(args),
        nonce: op.nonce,
        created_at: op.createdAt,
        result: op.result ? JSON.stringify(op.result) : null,
      });
    },
    async get(idOp) {
      const row = (await db('standin_operations').where({ id_op: idOp }).first()) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    async update(idOp, patch) {
      // Compare-and-set: only the first choice for an operation is recorded.
      const count = await db('standin_operations')
        .where({ id_op: idOp })
        .whereNull('result')
        .update({ result: JSON.stringify(patch.result) });
      return count === 1;
    },
  };
}
