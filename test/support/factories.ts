// Small factories over the repositories, for fixtures.
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../src/deps.js';
import { createPasswordHasher } from '../../src/accounts/passwords.js';
import { insertAccount } from '../../src/accounts/repository.js';
import type { Role } from '../../src/web/types.js';

export const TEST_PASSWORD = 'Correct-Horse-42!';
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

export interface TestAccount {
  id: number;
  email: string;
  password: string;
  role: Role;
  totpSecret: string | null;
}

export async function createAccount(deps: AppDeps, opts: { role?: Role; email?: string; firstName?: string; lastName?: string; verified?: boolean; schoolIds?: number[] } = {}): Promise<TestAccount> {
  const role = opts.role ?? 'parent';
  const email = opts.email ?? `${role}-${randomBytes(4).toString('hex')}@example.test`;
  const staff = role !== 'parent';
  const hasher = createPasswordHasher(deps.config);
  const now = deps.clock.now();
  const id = await insertAccount(deps.db, {
    email,
    password_hash: await hasher.hash(TEST_PASSWORD),
    first_name: opts.firstName ?? 'Alex',
    last_name: opts.lastName ?? 'Testeur',
    role,
    created_at: now,
    email_verified_at: opts.verified === false ? null : now,
    totp_secret: staff ? TEST_TOTP_SECRET : null,
    totp_enabled_at: staff ? now : null,
  });
  for (const schoolId of opts.schoolIds ?? []) await deps.db('account_sites').insert({ account_id: id, school_id: schoolId });
  return { id, email, password: TEST_PASSWORD, role, totpSecret: staff ? TEST_TOTP_SECRET : null };
}
