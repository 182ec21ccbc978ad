// argon2id password hashing; the cost comes from the configuration so that tests run fast.
import { hash, verify } from '@node-rs/argon2';
import type { Config } from '../config.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

/**
 * How many hashes run at once. Each takes ARGON2_MEMORY_KIB (19 MiB) for its duration: 50
 * concurrent logins would take ~1 GB at the same instant and the server's two cores could not
 * run them faster anyway. The others wait their turn (a login flood queues, it does not swell the process).
 */
const MAX_CONCURRENT_HASHES = 2;

/** A counting semaphore: at most `limit` of the functions run at a time, the rest in arrival order. */
export function limitConcurrency(limit: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next in line (running stays the same), or free it.
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}

// One limit for the whole process, whichever service hashes.
const limited = limitConcurrency(MAX_CONCURRENT_HASHES);

export function createPasswordHasher(config: Pick<Config, 'ARGON2_MEMORY_KIB' | 'ARGON2_ITERATIONS'>): PasswordHasher {
  const options = { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_ITERATIONS, parallelism: 1 };
  return {
    hash: (password) => limited(() => hash(password, options)), // argon2id is @node-rs/argon2's default algorithm
    verify: (hashed, password) =>
      limited(async () => {
        try {
          return await verify(hashed, password);
        } catch {
          return false;
        }
      }),
  };
}

/** A hash to verify against when the account does not exist, so that timing does not tell. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$0ItDcS0u7CxdcBZlyQ0cNDy2gWqpxMJxfXXjpENchCg';
