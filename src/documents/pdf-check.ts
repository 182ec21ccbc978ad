// What a PDF can do beyond showing pages, read with a real parser (pdf-lib): names decoded, objects
// inside compressed object streams expanded, every object seen — also one a later update of the
// file replaced, since a viewer following the cross-reference may use either.
import { PDFArray, PDFDict, PDFName, PDFParser, PDFStream, type PDFContext, type PDFObject } from 'pdf-lib';

export type PdfVerdict = 'ok' | 'active' | 'damaged' | 'encrypted';

/**
 * Names that make a PDF act: scripts, launching programs, opening or sending to addresses, other
 * documents, embedded files, XFA forms, rich media. Refused wherever they appear (a link
 * annotation's URI included: a parent's document has no business sending staff elsewhere).
 */
const ACTIVE_NAMES = new Set(
  [
    'JS',
    'JavaScript',
    'Launch',
    'URI',
    'SubmitForm',
    'ImportData',
    'GoToR',
    'GoToE',
    'EmbeddedFile',
    'EmbeddedFiles',
    'FileAttachment',
    'XFA',
    'RichMedia',
    'RichMediaExecute',
    'Rendition',
  ].map((n) => n.toLowerCase()),
);

const unescapeName = (name: string) =>
  name.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * A name as a viewer reads it. pdf-lib decodes `#xx` only with upper-case hex digits (`#4A`, not
 * `#4a`): decode what it left.
 */
const decodedName = (name: PDFName) => unescapeName(name.decodeText());

const isActiveName = (name: PDFName) => ACTIVE_NAMES.has(decodedName(name).toLowerCase());

/** True when the object holds an active name as a key or a value, at any depth. */
function hasActiveName(object: PDFObject, depth = 0): boolean {
  // Parsed objects are trees (references are not followed); the bound only guards the stack.
  if (depth > 200) return true;
  if (object instanceof PDFName) return isActiveName(object);
  if (object instanceof PDFStream) return hasActiveName(object.dict, depth + 1);
  if (object instanceof PDFDict) {
    for (const [key, value] of object.entries())
      if (isActiveName(key) || hasActiveName(value, depth + 1)) return true;
    return false;
  }
  if (object instanceof PDFArray) return object.asArray().some((v) => hasActiveName(v, depth + 1));
  return false;
}

/**
 * An object stream whose /Type pdf-lib did not recognise (an escape it does not decode): its
 * objects were not expanded, so they could not be checked.
 */
function isUnreadObjectStream(object: PDFObject): boolean {
  if (!(object instanceof PDFStream)) return false;
  const type = object.dict.get(PDFName.of('Type'));
  return type instanceof PDFName && type !== PDFName.of('ObjStm') && decodedName(type) === 'ObjStm';
}

// A name written with `#xx` escapes anywhere in the bytes, also where the parser skipped over
// bytes it took for noise between objects.
const ESCAPED_NAME = /\/([^\s/<>[\]{}()%]*#[0-9a-fA-F]{2}[^\s/<>[\]{}()%]*)/g;

function hasEscapedActiveName(text: string): boolean {
  for (const m of text.matchAll(ESCAPED_NAME)) {
    if (ACTIVE_NAMES.has(unescapeName(m[1]!).toLowerCase())) return true;
  }
  return false;
}

/**
 * pdf-lib's parser, keeping every object it reads: a file updated in place may define an object
 * twice, and the parser's document keeps only the last definition.
 */
class RecordingParser extends PDFParser {
  readonly objects: PDFObject[] = [];

  constructor(data: Buffer) {
    // Every object must parse (one it skipped could hide anything); a pause every 500 objects
    // lets other requests run during a large file.
    super(new Uint8Array(data.buffer, data.byteOffset, data.length), 500, true, false);
    const { context } = this;
    const assign = context.assign.bind(context);
    context.assign = (ref, object) => {
      this.objects.push(object);
      assign(ref, object);
    };
  }
}

/** Parses the PDF and looks at every object it holds. */
export async function checkPdf(data: Buffer): Promise<PdfVerdict> {
  if (hasEscapedActiveName(data.toString('latin1'))) return 'active';
  const parser = new RecordingParser(data);
  let context: PDFContext;
  try {
    context = await parser.parseDocument();
  } catch {
    // An object pdf-lib cannot read (or a stream it cannot decode) could hide anything.
    return data.includes('/Encrypt') ? 'encrypted' : 'damaged';
  }
  for (const object of parser.objects) {
    if (hasActiveName(object)) return 'active';
    if (isUnreadObjectStream(object)) return 'active';
  }
  const root = context.trailerInfo.Root ? context.lookup(context.trailerInfo.Root) : undefined;
  if (!(root instanceof PDFDict)) return 'damaged';
  return 'ok';
}
