// Catalogue texts for the views written as plain functions rather than EJS (the attendance sheet's
// rows, the month calendars): each text is looked up once per page, not once per row or cell, and
// comes out escaped for HTML.
import { boundedMemo } from '../platform/memo.js';
import type { T } from './i18n.js';
import { escapeHtml } from './render.js';

/** `t(key)` escaped, each key looked up once (give it the page's `t`). */
export function escapedTexts(t: T): (key: string) => string {
  const kept = boundedMemo<string, string>();
  return (key) => kept(key, () => escapeHtml(t(key)));
}

/**
 * A catalogue text with one {{variable}} (and `options` fixed) as a function of that variable's
 * value, escaped: t() runs once, and each call only escapes the value and joins.
 */
export function filler(t: T, key: string, variable: string, options: Record<string, unknown> = {}): (value: string) => string {
  const marker = '\u0000';
  const parts = String(t(key, { ...options, [variable]: marker })).split(marker);
  if (parts.length !== 2) return (value) => escapeHtml(t(key, { ...options, [variable]: value }));
  const [before, after] = parts.map(escapeHtml) as [string, string];
  return (value) => before + escapeHtml(value) + after;
}
