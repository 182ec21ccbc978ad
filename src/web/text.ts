// What a typed text may hold, checked once for every form: no control characters (a NUL cannot
// even be stored by PostgreSQL), and in names nothing invisible that changes how they read.
import { z } from 'zod';

// C0 controls, DEL and C1. Multi-line text keeps tab, line feed and carriage return.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// Bidirectional embeddings, overrides and isolates, zero-width characters and the BOM: they make a
// name read differently from what it holds (as the document vault refuses in file names).
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]/;

export const hasControlCharacters = (value: string, multiline = false) =>
  (multiline ? CONTROL_MULTILINE : CONTROL).test(value);
export const hasInvisibleCharacters = (value: string) => INVISIBLE.test(value);

/** A name fit to show or keep as metadata: control and invisible characters removed. */
export const withoutUnsafeCharacters = (value: string) =>
  value.replace(new RegExp(`${CONTROL.source}|${INVISIBLE.source}`, 'g'), '');

type StringParams = Parameters<typeof z.string>[0];

/** A one-line text field: chain `.trim().min().max()` as on `z.string()`. */
export const text = (params?: StringParams) =>
  z.string(params).refine((v) => !CONTROL.test(v), 'errors.controlCharacters');

/** A textarea: line breaks and tabs allowed. */
export const multilineText = (params?: StringParams) =>
  z.string(params).refine((v) => !CONTROL_MULTILINE.test(v), 'errors.controlCharacters');

/** A person's (or holder's) name: one line, and nothing invisible. */
export const personName = (params?: StringParams) =>
  text(params).refine((v) => !INVISIBLE.test(v), 'errors.invisibleCharacters');
