// What issuing an invoice or a credit note shares: its number in its gapless series, the town that
// issues it and its PDF (drawn from the immutable invoice, stored once).
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { mapBounded } from '../platform/bounded.js';
import type { Tx } from '../platform/db.js';
import { getTown, type Town } from '../platform/town.js';
import { renderInvoicePdf, type PdfInvoice } from './pdf.js';
import {
  linesOf,
  setPdfKey,
  setPdfKeysOnce,
  type InvoiceKind,
  type InvoiceLineRow,
  type InvoiceRow,
} from './repository-invoices.js';

/** PDFs drawn at once after a batch commits (the drawing is CPU; this overlaps the file writes). */
const PDF_CONCURRENCY = 4;

export function numberOf(kind: InvoiceKind, year: number, n: number): string {
  return `${kind === 'credit_note' ? 'AV-' : ''}${year}-${String(n).padStart(6, '0')}`;
}

export function createIssuing(deps: AppDeps) {
  function pdfData(
    inv: InvoiceRow,
    lines: { label: string; quantity: number; unit_cents: number; total_cents: number; days: string[] }[],
    creditFor: string | null,
  ): PdfInvoice {
    return {
      kind: inv.kind,
      number: inv.number,
      month: inv.month,
      issuedOn: DateTime.fromJSDate(inv.issued_at, { zone: 'Europe/Paris' }).toISODate()!,
      dueOn: inv.due_on,
      totalCents: inv.total_cents,
      snapshot: inv.household_snapshot,
      creditFor,
      reason: inv.reason,
      lines: lines.map((l) => ({
        label: l.label,
        quantity: l.quantity,
        unitCents: l.unit_cents,
        totalCents: l.total_cents,
        days: l.days,
      })),
    };
  }

  async function town(): Promise<Town> {
    const t = await getTown(deps.db);
    if (!t) throw new Error('the town is not set up');
    return t;
  }

  /** Draws and stores the PDF of an invoice just inserted in `tx`; returns its storage key. */
  async function storePdf(tx: Tx, invoiceId: number, creditFor: string | null): Promise<string> {
    const inv = (await tx<InvoiceRow>('invoices').where({ id: invoiceId }).first())!;
    const lines = await linesOf(tx, [invoiceId]);
    const pdf = await renderInvoicePdf(pdfData(inv, lines, creditFor), await town(), deps.config.baseUrl);
    const key = deps.storage.newKey();
    await deps.storage.put(key, pdf);
    await setPdfKey(tx, invoiceId, key);
    return key;
  }

  /** The PDFs of committed invoices, drawn outside any transaction; each key stored only if none is yet. */
  async function drawPdfs(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const [invoices, lines, t] = await Promise.all([
      deps.db<InvoiceRow>('invoices').whereIn('id', ids).whereNull('pdf_storage_key') as Promise<
        InvoiceRow[]
      >,
      linesOf(deps.db, ids),
      town(),
    ]);
    const linesBy = new Map<number, InvoiceLineRow[]>();
    for (const l of lines) {
      const list = linesBy.get(l.invoice_id) ?? [];
      list.push(l);
      linesBy.set(l.invoice_id, list);
    }
    const credited = await creditedNumbers(invoices);
    const keys = await mapBounded(invoices, PDF_CONCURRENCY, async (inv) => {
      const pdf = await renderInvoicePdf(
        pdfData(inv, linesBy.get(inv.id) ?? [], credited.get(inv.id) ?? null),
        t,
        deps.config.baseUrl,
      );
      const key = deps.storage.newKey();
      await deps.storage.put(key, pdf);
      return { id: inv.id, key };
    });
    const stored = new Set(await setPdfKeysOnce(deps.db, keys));
    // Another process stored its own drawing first: the invoice keeps that one, ours goes.
    await Promise.all(keys.filter((k) => !stored.has(k.id)).map((k) => deps.storage.delete(k.key)));
  }

  /** The number of the invoice each credit note reduces (printed on the credit note). */
  async function creditedNumbers(invoices: InvoiceRow[]): Promise<Map<number, string>> {
    const credits = invoices.filter((i) => i.credit_for_invoice_id !== null);
    if (!credits.length) return new Map();
    const originals = await deps
      .db<InvoiceRow>('invoices')
      .whereIn(
        'id',
        credits.map((c) => c.credit_for_invoice_id!),
      )
      .select('id', 'number');
    const numberOfId = new Map(originals.map((o) => [o.id, o.number]));
    return new Map(credits.map((c) => [c.id, numberOfId.get(c.credit_for_invoice_id!) ?? '']));
  }

  return { pdfData, town, storePdf, drawPdfs };
}
