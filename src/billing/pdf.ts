// The invoice (or credit note) as a PDF, drawn once at issue with pdfkit's standard Helvetica
// (WinAnsi: French accents and the euro sign are covered). The same drawing serves the staff's
// batch of paper invoices, one document with one invoice after another.
import PDFDocument from 'pdfkit';
import type { Town } from '../platform/town.js';
import { formatDate, formatMoney } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import type { HouseholdSnapshot } from './repository-invoices.js';

export interface PdfInvoice {
  kind: 'invoice' | 'credit_note';
  number: string;
  month: string;
  issuedOn: string;
  dueOn: string;
  totalCents: number;
  snapshot: HouseholdSnapshot;
  creditFor: string | null;
  reason: string | null;
  lines: { label: string; quantity: number; unitCents: number; totalCents: number; days: string[] }[];
}

// WinAnsi has no narrow no-break space (U+202F, used by Intl in "1 234,50 €"): use a plain no-break space.
const winAnsi = (s: string) => s.replace(/\u202f/g, '\u00a0');
const money = (cents: number) => winAnsi(formatMoney(cents));

export function monthLabel(month: string): string {
  return formatDate(`${month}-01`, 'long').replace(/^1(er)? /, '');
}

function shortDays(days: string[]): string {
  return days.map((d) => Number(d.slice(8, 10))).join(', ');
}

function drawOne(doc: PDFKit.PDFDocument, inv: PdfInvoice, town: Town, baseUrl: string): void {
  const left = 50;
  const width = doc.page.width - 100;
  const credit = inv.kind === 'credit_note';

  // Town header.
  doc.font('Helvetica-Bold').fontSize(14).fillColor('#004a7c').text(town.logo_text, left, 50, { width: 260 });
  doc.font('Helvetica').fontSize(9).fillColor('#1a1a1a');
  doc.text(town.address, { width: 260 });
  doc.text(`${town.postcode} ${town.city}`, { width: 260 });
  doc.text(`${tFr('billing.pdf.phone')} ${town.phone} – ${town.email}`, { width: 260 });
  if (town.siret) doc.text(`${tFr('billing.pdf.siret')} ${town.siret}`, { width: 260 });

  // Title block.
  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .text(`${tFr(credit ? 'billing.pdf.creditNote' : 'billing.pdf.invoice')} ${inv.number}`, 320, 50, {
      width: 225,
      align: 'right',
    });
  doc.font('Helvetica').fontSize(9);
  doc.text(`${tFr('billing.pdf.issuedOn')} ${formatDate(inv.issuedOn)}`, { width: 225, align: 'right' });
  if (!credit)
    doc.text(`${tFr('billing.pdf.dueOn')} ${formatDate(inv.dueOn)}`, { width: 225, align: 'right' });
  doc.text(`${tFr('billing.pdf.period')} ${monthLabel(inv.month)}`, { width: 225, align: 'right' });
  if (inv.creditFor)
    doc.text(tFr('billing.pdf.creditFor', { number: inv.creditFor }), { width: 225, align: 'right' });

  // Recipient, placed for a window envelope.
  const s = inv.snapshot;
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`${tFr('billing.pdf.familyNumber')} ${s.familyNumber}`, 320, 150, { width: 225 });
  doc.font('Helvetica-Bold').fontSize(10);
  for (const name of s.names) doc.text(name, { width: 225 });
  doc.font('Helvetica');
  for (const line of s.addressLines) doc.text(line, { width: 225 });
  doc.text(`${s.postcode} ${s.city}`.trim(), { width: 225 });

  // Lines.
  let y = 250;
  const cols = { label: left, qty: left + 290, unit: left + 345, total: left + 425 };
  doc.font('Helvetica-Bold').fontSize(9);
  doc.text(tFr('billing.pdf.colLabel'), cols.label, y, { width: 280 });
  doc.text(tFr('billing.pdf.colQuantity'), cols.qty, y, { width: 50, align: 'right' });
  doc.text(tFr('billing.pdf.colUnit'), cols.unit, y, { width: 75, align: 'right' });
  doc.text(tFr('billing.pdf.colTotal'), cols.total, y, { width: width - 425, align: 'right' });
  y += 14;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .strokeColor('#666666')
    .stroke();
  y += 6;
  doc.font('Helvetica').fontSize(9);
  for (const line of inv.lines) {
    const days = line.days.length ? tFr('billing.pdf.days', { days: shortDays(line.days) }) : '';
    const height =
      doc.heightOfString(line.label, { width: 280 }) + (days ? doc.heightOfString(days, { width: 280 }) : 0);
    if (y + height > doc.page.height - 230) {
      doc.addPage();
      y = 50;
    }
    doc.fillColor('#1a1a1a').text(line.label, cols.label, y, { width: 280 });
    if (days)
      doc.fillColor('#555555').fontSize(8).text(days, { width: 280 }).fontSize(9).fillColor('#1a1a1a');
    doc.text(String(line.quantity), cols.qty, y, { width: 50, align: 'right' });
    doc.text(money(line.unitCents), cols.unit, y, { width: 75, align: 'right' });
    doc.text(money(line.totalCents), cols.total, y, { width: width - 425, align: 'right' });
    y += height + 6;
  }
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .strokeColor('#666666')
    .stroke();
  y += 8;
  doc.font('Helvetica-Bold').fontSize(11);
  doc.text(tFr(credit ? 'billing.pdf.creditTotal' : 'billing.pdf.total'), cols.label, y, { width: 340 });
  doc.text(money(inv.totalCents), cols.unit, y, { width: width - 345, align: 'right' });
  y += 20;
  if (inv.reason) {
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(`${tFr('billing.pdf.reason')} ${inv.reason}`, left, y, { width });
    y = doc.y + 8;
  }

  // How to pay and the mentions of a public body's invoice.
  doc.font('Helvetica').fontSize(8).fillColor('#1a1a1a');
  const foot: string[] = credit
    ? [tFr('billing.pdf.creditUse')]
    : [
        tFr('billing.pdf.howToPay'),
        tFr('billing.pdf.payOnline', { url: `${baseUrl}/invoices` }),
        tFr('billing.pdf.payDirectDebit'),
        tFr('billing.pdf.payDesk', { address: `${town.address}, ${town.postcode} ${town.city}` }),
      ];
  foot.push(
    tFr('billing.pdf.accountant', { city: town.city }),
    tFr('billing.pdf.enforceable'),
    tFr('billing.pdf.appeal'),
    tFr('billing.pdf.vat'),
  );
  doc.text('', left, Math.max(y + 10, doc.page.height - 220), { width });
  for (const p of foot) doc.text(winAnsi(p), { width, paragraphGap: 3 });
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

function newDoc(title: string, town: Town): PDFKit.PDFDocument {
  return new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: title, Author: town.name, Creator: town.name },
    lang: 'fr-FR',
    tagged: false,
  });
}

export async function renderInvoicePdf(inv: PdfInvoice, town: Town, baseUrl: string): Promise<Buffer> {
  const doc = newDoc(
    `${tFr(inv.kind === 'credit_note' ? 'billing.pdf.creditNote' : 'billing.pdf.invoice')} ${inv.number}`,
    town,
  );
  drawOne(doc, inv, town, baseUrl);
  return collect(doc);
}

/** Several invoices in one document (each on its own pages), for printing the paper ones. */
export async function renderInvoicesPdf(
  invoices: PdfInvoice[],
  town: Town,
  baseUrl: string,
  title: string,
): Promise<Buffer> {
  const doc = newDoc(title, town);
  invoices.forEach((inv, i) => {
    if (i > 0) doc.addPage();
    drawOne(doc, inv, town, baseUrl);
  });
  return collect(doc);
}
