// One shape for form errors everywhere, built from a zod error, rendered by views/partials/error-summary.ejs.
import type { z } from 'zod';
import type { T } from './i18n.js';

export interface FormErrors {
  summary: { text: string; href: string }[];
  fields: Record<string, string>;
}

export const noErrors = (): FormErrors => ({ summary: [], fields: {} });

/** Zod messages are catalogue keys (e.g. 'errors.required'); anything else becomes a generic message. */
export function formErrors(error: z.ZodError, t: T): FormErrors {
  const out = noErrors();
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (out.fields[field]) continue;
    const key = issue.message;
    const text = /^[a-z][\w-]*(\.[\w-]+)+$/i.test(key)
      ? t(key, { defaultValue: t('errors.invalid') })
      : t('errors.invalid');
    out.fields[field] = text;
    out.summary.push({ text, href: `#${field}` });
  }
  return out;
}

/** Adds one error (a rule checked by a service, e.g. "already exists") to a FormErrors. */
export function addError(errors: FormErrors, field: string, text: string): FormErrors {
  if (!errors.fields[field]) {
    errors.fields[field] = text;
    errors.summary.push({ text, href: `#${field}` });
  }
  return errors;
}

export const hasErrors = (e: FormErrors) => e.summary.length > 0;

/** A rule broken in a service, carried to the route to be shown on the form. */
export class FormError extends Error {
  constructor(
    public readonly field: string,
    public readonly key: string,
    public readonly params: Record<string, unknown> = {},
  ) {
    super(key);
  }
}
