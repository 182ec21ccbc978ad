// Demo accounts (printed in the README). Staff come with the second factor already set up on
// the demo-only TOTP secret JBSWY3DPEHPK3PXP, so anyone trying the demo can log in as staff.
import type { AppDeps } from '../src/deps.js';
import { createPasswordHasher } from '../src/accounts/passwords.js';
import { findAccountByEmail, insertAccount } from '../src/accounts/repository.js';
import type { Role } from '../src/web/types.js';

export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

export const DEMO_ACCOUNTS: {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  role: Role;
}[] = [
  {
    email: 'parent@demo.test',
    password: 'Demo-parent-2026!',
    first_name: 'Camille',
    last_name: 'Martin',
    role: 'parent',
  },
  {
    email: 'parent2@demo.test',
    password: 'Demo-parent-2026!',
    first_name: 'Karim',
    last_name: 'Benali',
    role: 'parent',
  },
  {
    email: 'agent@demo.test',
    password: 'Demo-agent-2026!',
    first_name: 'Sophie',
    last_name: 'Durand',
    role: 'agent',
  },
  {
    email: 'admin@demo.test',
    password: 'Demo-admin-2026!',
    first_name: 'Marc',
    last_name: 'Lefèvre',
    role: 'admin',
  },
];

export async function seed(deps: AppDeps): Promise<void> {
  const hasher = createPasswordHasher(deps.config);
  const now = deps.clock.now();
  for (const a of DEMO_ACCOUNTS) {
    if (await findAccountByEmail(deps.db, a.email)) continue;
    const staff = a.role !== 'parent';
    await insertAccount(deps.db, {
      email: a.email,
      password_hash: await hasher.hash(a.password),
      first_name: a.first_name,
      last_name: a.last_name,
      role: a.role,
      created_at: now,
      email_verified_at: now,
      personal_data_notice_accepted_at: now,
      totp_secret: staff ? DEMO_TOTP_SECRET : null,
      totp_enabled_at: staff ? now : null,
    });
  }
}
