import { z } from 'zod';
import { personName, text } from '../web/text.js';
import { passwordProblem } from './password-policy.js';
import { STAFF_ROLES } from '../web/types.js';

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const email = text({ message: 'accounts.errors.emailRequired' })
  .trim()
  .min(1, 'accounts.errors.emailRequired')
  .max(254, 'accounts.errors.emailInvalid')
  .regex(EMAIL_SHAPE, 'accounts.errors.emailInvalid');

const name = (key: string) =>
  personName({ message: `accounts.errors.${key}Required` })
    .trim()
    .min(1, `accounts.errors.${key}Required`)
    .max(100, `accounts.errors.${key}TooLong`);

/** A new password: the rule itself (the email check needs the email: see withPasswordChecks). */
const newPassword = z
  .string({ message: 'accounts.errors.newPasswordRequired' })
  .min(1, 'accounts.errors.newPasswordRequired')
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const confirm = z
  .string({ message: 'accounts.errors.confirmRequired' })
  .min(1, 'accounts.errors.confirmRequired');

/** The password must not contain the email, and the confirmation must match. */
function passwordChecks(
  data: { password: string; password_confirm: string },
  ctx: z.RefinementCtx,
  emailOf: string,
) {
  const problem = passwordProblem(data.password, emailOf);
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  if (data.password !== data.password_confirm)
    ctx.addIssue({ code: 'custom', path: ['password_confirm'], message: 'accounts.errors.confirmMismatch' });
}

export const loginSchema = z.object({
  email: text().trim().min(1, 'accounts.errors.emailRequired').max(254, 'accounts.errors.emailInvalid'),
  password: z
    .string()
    .min(1, 'accounts.errors.passwordRequired')
    .max(1024, 'accounts.errors.passwordInvalid'),
  next: z.string().optional(),
});

export const codeSchema = z.object({
  code: text().trim().min(1, 'accounts.errors.codeRequired').max(64, 'accounts.errors.codeInvalid'),
});

export const signupSchema = z
  .object({
    first_name: name('firstName'),
    last_name: name('lastName'),
    email,
    password: newPassword,
    password_confirm: confirm,
    accept_notice: z.literal('on', { message: 'accounts.errors.noticeRequired' }),
  })
  .superRefine((d, ctx) => passwordChecks(d, ctx, d.email));

export const emailOnlySchema = z.object({ email });

/** Reset and set-password: the account's email comes from the token, checked by the service. */
export const newPasswordSchema = z
  .object({ password: newPassword, password_confirm: confirm })
  .superRefine((d, ctx) => {
    if (d.password !== d.password_confirm)
      ctx.addIssue({
        code: 'custom',
        path: ['password_confirm'],
        message: 'accounts.errors.confirmMismatch',
      });
  });

export const changePasswordSchema = z
  .object({
    current_password: z
      .string({ message: 'accounts.errors.currentRequired' })
      .min(1, 'accounts.errors.currentRequired')
      .max(1024, 'accounts.errors.passwordInvalid'),
    password: newPassword,
    password_confirm: confirm,
  })
  .superRefine((d, ctx) => {
    if (d.password !== d.password_confirm)
      ctx.addIssue({
        code: 'custom',
        path: ['password_confirm'],
        message: 'accounts.errors.confirmMismatch',
      });
  });

export const nameSchema = z.object({ first_name: name('firstName'), last_name: name('lastName') });

export const changeEmailSchema = z.object({
  email,
  current_password: z
    .string({ message: 'accounts.errors.currentRequired' })
    .min(1, 'accounts.errors.currentRequired')
    .max(1024, 'accounts.errors.passwordInvalid'),
});

export const currentPasswordSchema = z.object({
  current_password: z
    .string({ message: 'accounts.errors.currentRequired' })
    .min(1, 'accounts.errors.currentRequired')
    .max(1024, 'accounts.errors.passwordInvalid'),
});

const staffRole = z.enum(STAFF_ROLES as unknown as [string, ...string[]], {
  message: 'accounts.staff.errors.roleRequired',
});
const sites = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^\d{1,9}$/, 'accounts.staff.errors.siteInvalid')
          .transform(Number),
      )
      .max(100, 'accounts.staff.errors.siteInvalid'),
  );

export const staffCreateSchema = z.object({
  first_name: name('firstName'),
  last_name: name('lastName'),
  email,
  role: staffRole,
  sites,
});
export const staffUpdateSchema = z.object({ role: staffRole, sites });

/** Emailed tokens are 32 random bytes in base64url. */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
