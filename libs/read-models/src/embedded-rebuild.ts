import type { EventStore } from '@scim/event-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import type { Projection } from './projection';
import { ProjectionRunner, type RebuildProgress, type RunnerLogger } from './projection-runner';
import type { ReadStore } from './read-store.port';
import { compiledWriterScript, storeWriter, threadWriter, type ThreadWriterOptions } from './rebuild-writer';

export interface EmbeddedRebuildOptions {
  readonly eventStore: EventStore;
  readonly projections: readonly Projection[];
  /** A scratch file (no journal, no sync): the caller syncs it, or deletes it if this fails. */
  readonly file: string;
  /** Gives the store its indexes and fields stored apart before it fills (`prepareReadModelStore`). */
  readonly prepare: (store: ReadStore) => Promise<void>;
  readonly logger?: RunnerLogger;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Events per batch read (the runner's `rebuildBatchSize`). */
  readonly batchSize?: number;
  /** The writer thread's script; by default the compiled one, and without it the writes stay in this thread. */
  readonly writer?: ThreadWriterOptions;
}

/**
 * Rebuilds every projection from the log into the embedded store file `file` (emptied first), the
 * one path of the start-up upgrade and `cli rebuild`: this thread reads, opens and projects the
 * events while a writer thread commits the documents, so the two halves of the work run on two
 * cores. Open the file again afterwards: the writer may have created collections.
 */
export async function rebuildEmbeddedFile(options: EmbeddedRebuildOptions): Promise<RebuildProgress> {
  const { eventStore, projections, file, prepare } = options;
  const target = EmbeddedReadStore.open({ file, scratch: true });
  try {
    await prepare(target);
    await target.clear();
    const script = options.writer?.script ?? compiledWriterScript();
    const writer = script ? threadWriter(file, { ...options.writer, script }) : storeWriter(target);
    const runner = new ProjectionRunner(eventStore, target, projections, { logger: options.logger, rebuildBatchSize: options.batchSize });
    return await runner.rebuildThrough(writer, options.onProgress);
  } finally {
    await target.close();
  }
}
