// CSV for spreadsheets used in French town halls: semicolon-separated, BOM for Excel, and
// cells that a spreadsheet would run as a formula are neutralised.
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  let text = value == null ? '' : String(value);
  if (FORMULA_START.test(text) && !/^-?\d+(,\d+)?$/.test(text)) text = `'${text}`;
  return /[";\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
}
