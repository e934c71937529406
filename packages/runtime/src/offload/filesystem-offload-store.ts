import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { OFFLOAD_REF_PATTERN, type OffloadObject, type OffloadStore, TidemarkError } from '@tidemark/core';

/** A put in progress is written here first and renamed into place when complete. */
const PARTIAL_MARK = '.partial-';

/**
 * The built-in offload store (`state.offload.backend = "filesystem"`): one file per ref under a
 * folder (`state.offload.folder`, default `<home>/offload`), in a folder per scope and per key
 * (`task/<scope hash>/<key hash>/<payload hash>`). A put writes a temporary file and renames it
 * over the ref's file, so a reader never sees half a payload, and a put of a payload that is there
 * already refreshes its modification time (the sweep's grace period starts again).
 * Workers and the garbage collector must see the same folder (one machine, or a shared mount).
 * A put that crashed leaves its temporary file; list() reports it, no row points to it, and the
 * orphan sweep removes it once it is older than its grace period.
 */
export class FilesystemOffloadStore implements OffloadStore {
  readonly folder: string;

  constructor(folder: string) {
    this.folder = folder;
  }

  async put(ref: string, payload: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.#pathOf(ref);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}${PARTIAL_MARK}${randomUUID()}`;
    try {
      await writeAll(partial, payload);
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(ref: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const path = this.#pathOf(ref);
    // Open first, so a missing object is `undefined` rather than a stream that fails later.
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!handle) return undefined;
    return handle.createReadStream();
  }

  async delete(ref: string): Promise<void> {
    await rm(this.#pathOf(ref), { force: true });
  }

  async *list(prefix = ''): AsyncIterable<OffloadObject> {
    for (const path of await filesBelow(this.folder)) {
      const ref = relative(this.folder, path).split(sep).join('/');
      if (!ref.startsWith(prefix)) continue;
      const stats = await stat(path).catch(() => undefined);
      if (stats) yield { ref, modifiedAt: stats.mtimeMs };
    }
  }

  #pathOf(ref: string): string {
    const committed = ref.split(PARTIAL_MARK)[0] as string;
    if (!OFFLOAD_REF_PATTERN.test(committed)) {
      throw new TidemarkError(
        'invalid_offload_ref',
        `"${ref}" is not an offload reference (expected task|asset/<sha256>/<sha256>/<sha256>); it was not made by Tidemark`,
      );
    }
    return join(this.folder, ...ref.split('/'));
  }
}

async function writeAll(path: string, payload: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
  const file = await open(path, 'wx');
  try {
    if (payload instanceof Uint8Array) await file.writeFile(payload);
    else for await (const chunk of payload) await file.write(chunk);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
