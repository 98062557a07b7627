import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type DocumentLoader, loaderFor } from './project-batch';
import type { Checkpoint, Doc, DocumentChange, ReadStore } from './read-store.port';
import { CommitTooLargeError, splitIntoSubCommits } from './store-limits';

/** A commit of a rebuild: the checkpoint it moves from (`after`) is known, as the rebuild is the only writer. */
export type RebuildCheckpoint = Checkpoint & { readonly after: number };

/**
 * Where a rebuild's documents go. Loads and commits are applied in the order they are made, so a
 * load sees every commit made before it; a commit may be applied later than it resolves, and a
 * failed one is reported by the next load or by `finish`.
 */
export interface RebuildWriter {
  readonly load: DocumentLoader;
  commit(changes: readonly DocumentChange[], checkpoint: RebuildCheckpoint): Promise<void>;
  /** Resolves once every commit is applied (rejects with the first failure); the writer is done. */
  finish(): Promise<void>;
}

/**
 * Commits a rebuilt batch whole, and only when the store refuses it as too large (before changing
 * anything) in sub-commits: measuring every document's BSON size beforehand was 5 % of a rebuild.
 */
export async function commitRebuilt(store: ReadStore, changes: readonly DocumentChange[], checkpoint: RebuildCheckpoint): Promise<void> {
  try {
    await store.commit(changes, checkpoint);
  } catch (error) {
    if (!(error instanceof CommitTooLargeError)) throw error;
    const parts = splitIntoSubCommits(changes);
    for (let index = 0; index < parts.length - 1; index++) {
      await store.commit(parts[index], { projection: checkpoint.projection, position: checkpoint.after, after: checkpoint.after });
    }
    await store.commit(parts[parts.length - 1], checkpoint);
  }
}

/** Writes into `store` in this thread. */
export function storeWriter(store: ReadStore): RebuildWriter {
  return {
    load: loaderFor(store),
    commit: (changes, checkpoint) => commitRebuilt(store, changes, checkpoint),
    finish: async () => undefined,
  };
}

/** What the main thread asks of the writer thread (rebuild-writer.worker.ts). */
export type WriterRequest =
  // JSON text: cloning the documents' objects took main thread twice as long as stringifying them.
  | { readonly kind: 'commit'; readonly changes: string; readonly checkpoint: RebuildCheckpoint }
  | { readonly kind: 'load'; readonly collection: string; readonly ids: readonly string[] }
  | { readonly kind: 'finish' };

/** One reply per request, in order; a failed request fails every later one. */
export type WriterReply =
  | { readonly kind: 'done'; readonly docs?: readonly Doc[] }
  | { readonly kind: 'failed'; readonly name: string; readonly message: string };

export interface ThreadWriterOptions {
  /** The worker script; by default rebuild-writer.worker beside this module (compiled: .js). */
  readonly script?: string;
}

// Enough to keep the writer busy while the next batches are read and projected, few enough that
// their documents do not pile up in memory when writing is the slower side.
const COMMITS_IN_FLIGHT = 4;

/** The compiled worker script beside this module, when there is one (not under ts-jest). */
export function compiledWriterScript(): string | undefined {
  const script = join(__dirname, 'rebuild-writer.worker.js');
  return existsSync(script) ? script : undefined;
}

/**
 * Writes into the embedded store file `file` (already prepared) from a thread of its own: SQL
 * upserts and index keys, about half of a rebuild, run on the second core while this thread reads,
 * opens and projects the next batches.
 */
export function threadWriter(file: string, options: ThreadWriterOptions = {}): RebuildWriter {
  const script = options.script ?? compiledWriterScript();
  if (!script) throw new Error('threadWriter needs the compiled rebuild-writer.worker.js (npm run build)');
  const worker = new Worker(script, { workerData: { file } });
  const pending: { resolve: (docs?: readonly Doc[]) => void; reject: (error: Error) => void }[] = [];
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const waiter of pending.splice(0)) waiter.reject(failure);
  };
  worker.on('message', (reply: WriterReply) => {
    if (reply.kind === 'failed') failAll(Object.assign(new Error(reply.message), { name: reply.name }));
    else pending.shift()?.resolve(reply.docs);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`The rebuild's writer thread exited (code ${code})`)));

  const request = (message: WriterRequest): Promise<readonly Doc[] | undefined> => {
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      pending.push({ resolve, reject });
      worker.postMessage(message);
    });
  };
  let inFlight: Promise<unknown>[] = [];
  return {
    load: async (collection, ids) => new Map(((await request({ kind: 'load', collection, ids })) ?? []).map((doc) => [doc._id, doc])),
    commit: async (changes, checkpoint) => {
      const committed = request({ kind: 'commit', changes: JSON.stringify(changes), checkpoint });
      // Awaited later (or its failure reported by the next request): not an unhandled rejection meanwhile.
      committed.catch(() => undefined);
      inFlight.push(committed);
      if (inFlight.length >= COMMITS_IN_FLIGHT) await inFlight.shift();
    },
    finish: async () => {
      try {
        await Promise.all(inFlight);
        inFlight = [];
        await request({ kind: 'finish' });
      } finally {
        await worker.terminate();
      }
    },
  };
}
