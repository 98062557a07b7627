import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '@scim/event-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import type { Projection } from './projection';
import { rebuildEmbeddedFile } from './embedded-rebuild';
import type { RebuildProgress, RunnerLogger } from './projection-runner';
import { describeStale, recordProjectionVersions, staleProjections } from './projection-versions';
import type { ReadStore } from './read-store.port';

export interface EmbeddedReadModelsOptions {
  /** The live read models' SQLite file. */
  readonly file: string;
  readonly eventStore: EventStore;
  readonly projections: readonly Projection[];
  /** Gives a store its indexes (`prepareReadModelStore`): the live one, and a rebuild's target before it fills. */
  readonly prepare: (store: ReadStore) => Promise<void>;
  readonly logger: RunnerLogger;
  /** Events between two progress lines of a rebuild (default 100,000). */
  readonly progressEvery?: number;
}

const DEFAULT_PROGRESS_EVERY = 100_000;
/** Files SQLite may keep beside a database; a stale one beside a swapped-in file would corrupt it. */
const SQLITE_SIDECARS = ['-wal', '-shm', '-journal'];

/**
 * Opens the embedded read models, rebuilt first when a projection's version differs from the one
 * the file was built by (or the file predates versions or this file layout, or is missing while
 * the log is not empty): every projection is replayed from the log
 * into a scratch file beside it, which replaces the live file once complete. A failed rebuild
 * leaves the live file as it was. The process holds DATA_DIR's lock, so nothing reads meanwhile.
 */
export async function openEmbeddedReadModels(options: EmbeddedReadModelsOptions): Promise<EmbeddedReadStore> {
  const { file, projections, prepare, logger } = options;
  const missing = !existsSync(file);
  const live = EmbeddedReadStore.open({ file });
  try {
    await prepare(live);
    if (missing && (await options.eventStore.headPosition()) > 0) {
      // A log without its read models (restored from a backup of the log alone, or a fresh copy):
      // the rebuild's scratch file fills many times faster than projecting live from position 0.
      logger.log('No read models beside a non-empty event log: building them from the event log');
    } else if (live.replacedEarlierLayout) {
      logger.log('Read models of an earlier file layout: rebuilding them from the event log');
    } else {
      const stale = await staleProjections(live, projections);
      if (stale.length === 0) {
        await recordProjectionVersions(live, projections);
        return live;
      }
      logger.log(`Read models of another version (${describeStale(stale)}): rebuilding them from the event log`);
    }
  } catch (error) {
    await live.close();
    throw error;
  }
  await live.close();
  await rebuildInto(`${file}.rebuilding`, options);
  // The live file was closed cleanly, so its sidecars hold nothing it needs.
  for (const suffix of SQLITE_SIDECARS) rmSync(`${file}${suffix}`, { force: true });
  renameSync(`${file}.rebuilding`, file);
  syncPath(dirname(file));
  return EmbeddedReadStore.open({ file });
}

/** Rebuilds every projection into `scratch`, synced to disk; deleted if anything fails. */
async function rebuildInto(scratch: string, options: EmbeddedReadModelsOptions): Promise<void> {
  const { eventStore, projections, prepare, logger } = options;
  const removeScratch = () => [scratch, ...SQLITE_SIDECARS.map((suffix) => scratch + suffix)].forEach((path) => rmSync(path, { force: true }));
  removeScratch(); // left by a rebuild that was cut short
  try {
    const onProgress = progressLogger(logger, options.progressEvery ?? DEFAULT_PROGRESS_EVERY);
    const done = await rebuildEmbeddedFile({ eventStore, projections, file: scratch, prepare, logger, onProgress });
    logger.log(`Rebuilt the read models from ${done.events} events in ${formatSeconds(done)} (${Math.round(done.eventsPerSecond)} events/s)`);
  } catch (error) {
    removeScratch();
    throw error;
  }
  // Written without sync (a scratch file): made durable before it becomes the live file.
  syncPath(scratch);
}

/** One line each time the rebuild passes another `every` events. */
export function progressLogger(logger: RunnerLogger, every: number): (progress: RebuildProgress) => void {
  let next = every;
  return (progress) => {
    if (progress.events < next) return;
    next = (Math.floor(progress.events / every) + 1) * every;
    logger.log(`Rebuilding the read models: ${progress.events} events, position ${progress.position} of ${progress.head} (${Math.round(progress.eventsPerSecond)} events/s)`);
  };
}

const formatSeconds = ({ events, eventsPerSecond }: RebuildProgress): string => `${(eventsPerSecond > 0 ? events / eventsPerSecond : 0).toFixed(1)} s`;

function syncPath(path: string): void {
  const descriptor = openSync(path, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
