// argon2id password hashing; the cost comes from the configuration so that tests run fast.
import { hash, verify } from '@node-rs/argon2';
import type { Config } from '../config.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

export function createPasswordHasher(config: Pick<Config, 'ARGON2_MEMORY_KIB' | 'ARGON2_ITERATIONS'>): PasswordHasher {
  const options = { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_ITERATIONS, parallelism: 1 };
  return {
    hash: (password) => hash(password, options), // argon2id is @node-rs/argon2's default algorithm
    verify: async (hashed, password) => {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
  };
}

/** A hash to verify against when the account does not exist, so that timing does not tell. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$0ItDcS0u7CxdcBZlyQ0cNDy2gWqpxMJxfXXjpENchCg';
