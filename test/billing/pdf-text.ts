// Reads a PDF's text back by inflating its content streams and decoding the strings shown (TJ).
// pdf-parse v1's old pdf.js misreads some valid pdfkit files ("bad XRef entry"), so it is not used.
import { inflateSync } from 'node:zlib';

const WIN_ANSI: Record<number, string> = {
  0x80: '€',
  0x92: '’',
  0x96: '–',
  0x97: '—',
  0x85: '…',
  0x9c: 'œ',
  0x8c: 'Œ',
};
const decode = (bytes: number[]) => bytes.map((b) => WIN_ANSI[b] ?? String.fromCharCode(b)).join('');

function streamsText(pdf: Buffer): string {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const start = pdf.indexOf('stream\n', at);
    if (start < 0) break;
    const end = pdf.indexOf('\nendstream', start);
    if (end < 0) break;
    at = end + 10;
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start + 7, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const m of content.matchAll(/\[(.*?)\]\s*TJ/gs)) {
      const parts = [...m[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) =>
        decode(h[1]!.match(/../g)?.map((x) => parseInt(x, 16)) ?? []),
      );
      out.push(parts.join(''));
    }
  }
  return out.join('\n');
}

export async function pdfText(pdf: Buffer): Promise<string> {
  return streamsText(pdf);
}
