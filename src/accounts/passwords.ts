// argon2id password hashing; the cost comes from the configuration so that tests run fast.
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Config } from '../config.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Checks a password against a stored hash. With none (no such account, or one without a
   * password yet), it checks it against a hash made with the same parameters, so that the answer
   * takes as long: timing does not tell whether an address has an account.
   */
  verify(hashed: string | null | undefined, password: string): Promise<boolean>;
}

/**
 * How many hashes run at once. Each takes ARGON2_MEMORY_KIB (19 MiB) for its duration: 50
 * concurrent logins would take ~1 GB at the same instant and the server's two cores could not
 * run them faster anyway. The others wait their turn (a login flood queues, it does not swell the process).
 */
const MAX_CONCURRENT_HASHES = 2;

/** A counting semaphore: at most `limit` of the functions run at a time, the rest in arrival order. */
function limitConcurrency(limit: number) {
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

export function createPasswordHasher(
  config: Pick<Config, 'ARGON2_MEMORY_KIB' | 'ARGON2_ITERATIONS'>,
): PasswordHasher {
  const options = {
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_ITERATIONS,
    parallelism: 1,
  };
  const hashOf = (password: string) => limited(() => hash(password, options)); // argon2id is @node-rs/argon2's default algorithm
  // Made once, when the hasher is, from a password nobody knows.
  const dummy = hashOf(randomBytes(32).toString('base64url'));
  dummy.catch(() => undefined); // a failure shows at the first verify that needs it
  return {
    hash: hashOf,
    async verify(hashed, password) {
      const against = hashed ?? (await dummy);
      return limited(async () => {
        try {
          return (await verify(against, password)) && hashed !== null && hashed !== undefined;
        } catch {
          return false;
        }
      });
    },
  };
}
