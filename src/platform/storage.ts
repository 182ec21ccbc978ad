// File storage for uploaded documents. Only this module touches the file system for them, behind a
// small interface, so that an S3-compatible object store can replace the local disk later (app
// instances on several machines then share files). Keys are generated ids, never uploaded names.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface Storage {
  /** A new random key (callers may also pass their own, in the same format). */
  newKey(): string;
  /** Writes the whole object atomically: readers see the old state or the complete new one. */
  put(key: string, data: Buffer): Promise<void>;
  /** The object's bytes; throws StorageNotFound when it does not exist. */
  get(key: string): Promise<Buffer>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

class StorageNotFound extends Error {
  constructor(key: string) {
    super(`storage object not found: ${key}`);
  }
}

// Lower-case letters, digits and dashes only: a key can never climb out of the storage folder.
const KEY = /^[a-z0-9][a-z0-9-]{7,99}$/;

function assertKey(key: string): void {
  if (!KEY.test(key)) throw new Error('invalid storage key');
}

/** Objects as files under `root` (DATA_DIR/files), in two-character sub-folders, readable by the app only. */
export function localDiskStorage(root: string): Storage {
  const fileOf = (key: string) => {
    assertKey(key);
    return path.join(root, key.slice(0, 2), key);
  };
  return {
    newKey: () => randomUUID(),

    async put(key, data) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Written to a temporary file in the same folder, flushed, then renamed over the final name.
      const tmp = path.join(path.dirname(file), `.tmp-${randomBytes(8).toString('hex')}`);
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } catch (err) {
        await handle.close();
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
      await handle.close();
      try {
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    },

    async get(key) {
      try {
        return await readFile(fileOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageNotFound(key);
        throw err;
      }
    },

    async delete(key) {
      await rm(fileOf(key), { force: true });
    },

    async exists(key) {
      try {
        return (await stat(fileOf(key))).isFile();
      } catch {
        return false;
      }
    },
  };
}
