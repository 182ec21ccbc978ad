import { z } from 'zod';

export const loginSchema = z.object({
  email: z.string().trim().min(1, 'accounts.errors.emailRequired').max(254, 'accounts.errors.emailInvalid'),
  password: z.string().min(1, 'accounts.errors.passwordRequired').max(1024, 'accounts.errors.passwordInvalid'),
  next: z.string().optional(),
});

export const codeSchema = z.object({
  code: z.string().trim().min(1, 'accounts.errors.codeRequired').max(64, 'accounts.errors.codeInvalid'),
});
