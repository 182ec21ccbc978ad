// A small, strict reader for the few XML documents this code exchanges (PayFiP SOAP messages,
// our own pain.008 files). It is not a general XML parser: it finds known elements by local
// name (any namespace prefix), reads leaf text, decodes the five XML entities and numeric
// references, and refuses anything it does not expect (DOCTYPE, entities, CDATA, comments,
// duplicated or unclosed elements). Refusing is safe: the caller treats it as a bad response.

export class XmlFormatError extends Error {
  override readonly name = 'XmlFormatError';
}

const NAME = '[A-Za-z_][\\w.-]*';

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes character data; any unknown entity or bare "&" is an error. */
function decodeXmlText(raw: string): string {
  return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new XmlFormatError('bare "&" in text');
    const named = NAMED_ENTITIES[body];
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (!numeric) throw new XmlFormatError(`unknown entity &${body};`);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2] ?? '', 10);
    // XML 1.0 allows tab, LF, CR and these ranges only.
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw new XmlFormatError(`forbidden character reference &${body};`);
    return String.fromCodePoint(code);
  });
}

/**
 * Refuses the constructs this reader does not handle, and the dangerous ones: DOCTYPE and
 * entity declarations (entity expansion, external entities), CDATA, comments, processing
 * instructions other than the leading XML declaration.
 */
export function assertPlainXml(xml: string): string {
  const body = xml.replace(/^\uFEFF?\s*(<\?xml\s[^?]*\?>)?/, '');
  if (body.includes('<!') || body.includes('<?')) throw new XmlFormatError('unsupported XML construct');
  if (!body.trimStart().startsWith('<')) throw new XmlFormatError('not an XML document');
  return body;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface XmlElement {
  /** The namespace prefix as written, or '' */
  prefix: string;
  /** The raw attribute text of the opening tag. */
  attributes: string;
  /** The raw inner XML ('' for an empty element). */
  inner: string;
}

/**
 * Every element with this local name, in document order. Elements of the same name must not
 * nest (true of everything read here); an opening tag without its closing tag is an error.
 */
export function elements(xml: string, localName: string): XmlElement[] {
  const name = escapeRegExp(localName);
  const pattern = new RegExp(
    `<(?:(${NAME}):)?${name}(\\s[^<>]*?)?(?:/>|(?<!/)>([\\s\\S]*?)</(?:(${NAME}):)?${name}\\s*>)`,
    'g',
  );
  const found: XmlElement[] = [];
  for (const match of xml.matchAll(pattern)) {
    const [, prefix = '', attributes = '', inner = '', closingPrefix = ''] = match;
    const selfClosing = match[0].endsWith('/>') && match[3] === undefined;
    if (!selfClosing && prefix !== closingPrefix)
      throw new XmlFormatError(`mismatched tags for ${localName}`);
    found.push({ prefix, attributes, inner });
  }
  // Every opening tag of that name must belong to a complete element.
  const openings = xml.match(new RegExp(`<(?:${NAME}:)?${name}(?=[\\s/>])`, 'g'))?.length ?? 0;
  if (openings !== found.length) throw new XmlFormatError(`malformed element ${localName}`);
  return found;
}

/** The only element with this local name, or undefined; two of them is an error. */
export function element(xml: string, localName: string): XmlElement | undefined {
  const found = elements(xml, localName);
  if (found.length > 1) throw new XmlFormatError(`duplicated element ${localName}`);
  return found[0];
}

/** The decoded text of a leaf element, or undefined when absent. */
export function leafText(xml: string, localName: string): string | undefined {
  const found = element(xml, localName);
  if (!found) return undefined;
  if (found.inner.includes('<')) throw new XmlFormatError(`element ${localName} is not a leaf`);
  return decodeXmlText(found.inner);
}

export function requiredLeaf(xml: string, localName: string): string {
  const text = leafText(xml, localName);
  if (text === undefined) throw new XmlFormatError(`missing element ${localName}`);
  return text;
}

/** The namespace URI a prefix (or, with '', the default namespace on the element) refers to. */
export function namespaceOf(xml: string, found: XmlElement): string | undefined {
  const attribute = found.prefix ? `xmlns:${escapeRegExp(found.prefix)}` : 'xmlns';
  const pattern = new RegExp(`\\s${attribute}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
  // The default namespace is read on the element itself; a prefix anywhere in the document
  // (good enough for the flat messages read here).
  const match = pattern.exec(found.prefix ? xml : found.attributes);
  if (!match) return undefined;
  return decodeXmlText(match[1] ?? match[2] ?? '');
}
