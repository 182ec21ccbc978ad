// Checks on uploaded files, all by content: every file is treated as hostile. Accepted: PDF,
// JPEG, PNG and WebP (every current browser shows them inline). HEIC is refused with its own
// message: most browsers cannot display it, so staff could not read it.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { hasControlCharacters, hasInvisibleCharacters, withoutUnsafeCharacters } from '../web/text.js';
import { checkPdf } from './pdf-check.js';

interface AcceptedKind {
  mime: string;
  /** Extension written in the download name. */
  ext: string;
  /** Extensions a file of this kind may have on the parent's device. */
  extensions: string[];
}

const ACCEPTED_KINDS: AcceptedKind[] = [
  { mime: 'application/pdf', ext: 'pdf', extensions: ['pdf'] },
  { mime: 'image/jpeg', ext: 'jpg', extensions: ['jpg', 'jpeg', 'jpe', 'jfif'] },
  { mime: 'image/png', ext: 'png', extensions: ['png'] },
  { mime: 'image/webp', ext: 'webp', extensions: ['webp'] },
];

/** What the file input offers (the server checks again by content). */
export const ACCEPT_ATTRIBUTE = '.pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp';

const MAX_NAME_LENGTH = 255;

export interface CheckedFile {
  data: Buffer;
  mime: string;
  ext: string;
  originalName: string;
  size: number;
  sha256: string;
}

/** Why a file is refused: a catalogue key under documents.errors.file. */
export type FileProblem =
  | 'empty'
  | 'nameInvalid'
  | 'nameTooLong'
  | 'typeNotAccepted'
  | 'heic'
  | 'extensionMismatch'
  | 'activeContent'
  | 'damaged'
  | 'encrypted';

export class FileRefused extends Error {
  constructor(
    public readonly problem: FileProblem,
    public readonly fileName: string,
  ) {
    super(problem);
  }
}

// Control characters (NUL included), and bidirectional overrides or zero-width characters that
// disguise an extension: the same rule as for every name typed in a form.
const hasUnsafeNameChars = (name: string) => hasControlCharacters(name) || hasInvisibleCharacters(name);

/** The name shown in messages: never trusted, only escaped by the views. */
function displayName(raw: string): string {
  const cleaned = withoutUnsafeCharacters(raw).split(/[/\\]/).pop() ?? '';
  return cleaned.length > 60 ? `${cleaned.slice(0, 57)}…` : cleaned;
}

/**
 * The original name kept as metadata: path parts, control characters and NUL removed, NFC, at
 * most 255 characters. Names that could only come from a forged request are refused before.
 */
export function sanitizeName(raw: string): string {
  const base = withoutUnsafeCharacters(raw.normalize('NFC').split(/[/\\]/).pop() ?? '').trim();
  const name = base.replace(/^\.+/, '') || 'document';
  return name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

const lower = (b: Buffer) => b.toString('latin1').toLowerCase();

// Markup a browser would run if the file were ever served as HTML, and PDF actions that run code
// (a first, quick look at the bytes; PDFs are then read with a parser: src/documents/pdf-check.ts).
const ACTIVE_MARKUP = [
  '<script',
  '<html',
  '<svg',
  '<iframe',
  '<!doctype html',
  '<?php',
  '<body',
  'javascript:',
];
const PDF_ACTIVE = [
  /\/javascript\b/,
  /\/js\s*[(<[/]/,
  /\/launch\b/,
  /\/embeddedfile\b/,
  /\/richmedia\b/,
  /\/xfa\b/,
];

/** A file that is also another format: an archive directory at its end, or markup / scripts inside. */
function hasActiveContent(data: Buffer, mime: string): boolean {
  // A ZIP (or JAR, DOCX…) is read from its end-of-central-directory record, within 64 KiB of the end.
  const tail = data.subarray(Math.max(0, data.length - 65_557));
  if (tail.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))) return true;
  const text = lower(data);
  if (ACTIVE_MARKUP.some((m) => text.includes(m))) return true;
  if (mime === 'application/pdf' && PDF_ACTIVE.some((re) => re.test(text))) return true;
  return false;
}

function looksComplete(data: Buffer, mime: string): boolean {
  if (mime === 'application/pdf') {
    return (
      data.subarray(0, 5).toString('latin1') === '%PDF-' &&
      data.subarray(Math.max(0, data.length - 2048)).includes(Buffer.from('%%EOF'))
    );
  }
  if (mime === 'image/png') {
    // Nothing may follow the IEND chunk (its 4-byte CRC ends the file).
    const iend = data.lastIndexOf(Buffer.from('IEND'));
    return iend > 0 && iend + 8 === data.length;
  }
  if (mime === 'image/jpeg') return data.includes(Buffer.from([0xff, 0xd9]));
  return true;
}

/**
 * The multipart parser reads file names as Latin-1, while browsers send UTF-8 bytes: read them
 * again as UTF-8 when they are valid UTF-8 ("été" instead of "Ã©tÃ©").
 */
export function decodeUploadName(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/^[\u0000-\u00ff]*$/.test(name)) return name;
  const utf8 = Buffer.from(name, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? name : utf8;
}

/** Checks one uploaded file by its content and name; throws FileRefused. */
export async function checkFile(file: {
  buffer: Buffer;
  originalname: string;
  size: number;
}): Promise<CheckedFile> {
  const raw = decodeUploadName(file.originalname ?? '');
  const shown = displayName(raw);
  if (hasUnsafeNameChars(raw) || /(^|[/\\])\.\.([/\\]|$)/.test(raw))
    throw new FileRefused('nameInvalid', shown);
  if (raw.length > MAX_NAME_LENGTH) throw new FileRefused('nameTooLong', shown);
  const data = file.buffer;
  if (!data || data.length === 0) throw new FileRefused('empty', shown);
  const detected = await fileTypeFromBuffer(data);
  if (
    detected &&
    (detected.mime === 'image/heic' || detected.mime === 'image/heif' || detected.ext === 'heic')
  )
    throw new FileRefused('heic', shown);
  const kind = ACCEPTED_KINDS.find((k) => k.mime === detected?.mime);
  if (!kind) throw new FileRefused('typeNotAccepted', shown);
  if (!kind.extensions.includes(extensionOf(raw))) throw new FileRefused('extensionMismatch', shown);
  if (hasActiveContent(data, kind.mime)) throw new FileRefused('activeContent', shown);
  if (!looksComplete(data, kind.mime)) throw new FileRefused('damaged', shown);
  if (kind.mime === 'application/pdf') {
    const verdict = await checkPdf(data);
    if (verdict === 'active') throw new FileRefused('activeContent', shown);
    if (verdict !== 'ok') throw new FileRefused(verdict, shown);
  }
  return {
    data,
    mime: kind.mime,
    ext: kind.ext,
    originalName: sanitizeName(raw),
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

/** Content-Disposition with a server-built name: an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(disposition: 'inline' | 'attachment', name: string): string {
  const ascii =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[-.]+|-+$/g, '') || 'document';
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const isInlineType = (mime: string) => mime === 'application/pdf' || mime.startsWith('image/');
