import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@scim/event-store';
import { EmbeddedReadStore, POSITION_FIELD, type Projection, rebuildEmbeddedFile, RESERVED_FIELDS, type ReadStore } from '@scim/read-models';
import { allProjections, Collections, prepareReadModelStore } from '@scim/read-models/projections';
import { CliError, type DataFiles, openOpenedEventLog } from '../data-dir';
import { EventLogView } from '../event-log-view';
import { ProgressBar, type ProgressOutput, formatCount } from '../progress';
import { diffCollection, type ReadModelDifference } from '../read-model-diff';

export interface RebuildOptions {
  /** Keep the rebuilt store (its path is printed) instead of deleting it. */
  readonly keep: boolean;
  /** Differences printed at most (all are counted). */
  readonly maxDifferences: number;
  /** Attempts at a live snapshot whose projections have caught up with the compared position. */
  readonly snapshotAttempts?: number;
  readonly snapshotRetryMs?: number;
}

export interface RebuildOutcome {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** The log position the rebuilt and live read models were compared at. */
  readonly position: number;
  readonly documents: number;
  /** Documents changed by events after that position while the command ran: not compared. */
  readonly skipped: number;
  readonly differences: readonly ReadModelDifference[];
}

/** Fields a store or the projection runner keeps for itself, not part of the read model. */
const BOOKKEEPING_FIELDS = [POSITION_FIELD, ...RESERVED_FIELDS];
const quietRunner = { log: () => undefined, error: () => undefined };

/**
 * Rebuilds every read model from the event log into a fresh embedded store, then compares it with
 * the live one (DATA_DIR/read-models.db). Works while the service runs: the rebuild stops at the
 * log's head as read at the start, live projections that are behind it get a few moments to catch
 * up, and documents changed by later events are left out of the comparison.
 */
export async function rebuild(files: DataFiles, options: RebuildOptions, stdout: ProgressOutput, stderr: ProgressOutput): Promise<number> {
  if (!existsSync(files.readModels)) {
    throw new CliError(`No live read models at ${files.readModels}: start the service once, or set DATA_DIR to its data folder`);
  }
  const log = openOpenedEventLog(files);
  const directory = mkdtempSync(join(tmpdir(), 'scim-rebuild-'));
  // Deleted unless --keep, so written as a scratch file (no journal, no sync).
  const file = join(directory, 'read-models.db');
  let target: EmbeddedReadStore | undefined;
  let live: LiveSnapshot | undefined;
  try {
    const upTo = await log.headPosition();
    stderr.write(`Rebuilding the read models from ${files.eventLog} (up to position ${formatCount(upTo)}) into ${directory}\n`);
    const bar = new ProgressBar(stderr, 'rebuild');
    const rebuilt = await rebuildEmbeddedFile({
      eventStore: new EventLogView(log, upTo),
      projections: allProjections,
      file,
      prepare: prepareReadModelStore,
      logger: quietRunner,
      onProgress: (progress) => bar.update(progress),
    });
    const seconds = bar.finish();
    target = EmbeddedReadStore.open({ file, scratch: true });
    // The runner reads only the streams some projection reads (not userName reservations, seals…).
    stderr.write(
      `Replayed ${formatCount(rebuilt.events)} events (those of the read models' streams, in a log up to position ${formatCount(upTo)}) ` +
        `in ${seconds.toFixed(1)} s (${formatCount(rebuilt.events / Math.max(seconds, 1e-9))} events/s)\n`,
    );

    live = await caughtUpSnapshot(files, target, log, upTo, options);
    const skip = await documentsChangedAfter(log, upTo);
    const outcome = await compare(live.store, target, skip);
    const differences = [...live.behind, ...outcome.differences];
    report(stdout, differences, outcome, upTo, options.maxDifferences);
    if (options.keep) stderr.write(`Rebuilt read models kept in ${directory}\n`);
    return differences.length === 0 ? 0 : 1;
  } finally {
    await live?.store.close();
    await target?.close();
    await log.close();
    if (!options.keep) rmSync(directory, { recursive: true, force: true });
  }
}

interface LiveSnapshot {
  readonly store: EmbeddedReadStore;
  /** Projections whose live checkpoint is still before the last event they should have applied. */
  readonly behind: readonly ReadModelDifference[];
}

// The live store is loaded into memory when opened: a snapshot. A running service may be projecting
// the last events just now, so a snapshot that is behind is taken again a few times before it counts.
async function caughtUpSnapshot(files: DataFiles, rebuilt: ReadStore, log: EventStore, upTo: number, options: RebuildOptions): Promise<LiveSnapshot> {
  const attempts = options.snapshotAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const store = EmbeddedReadStore.open({ file: files.readModels });
    const behind: ReadModelDifference[] = [];
    for (const { name } of allProjections) {
      const [liveCheckpoint, rebuiltCheckpoint] = [await store.checkpoint(name), await rebuilt.checkpoint(name)];
      if (liveCheckpoint < rebuiltCheckpoint) {
        behind.push({
          collection: `(projection ${name})`,
          kind: 'checkpoint-behind',
          detail: `the live projection stands at position ${liveCheckpoint}, its events go up to ${rebuiltCheckpoint}: it is behind (a stopped service catches up at start; a running one that stays behind has failed)`,
        });
      }
    }
    // Only a service that is still writing can still catch up.
    const writing = (await log.headPosition()) > upTo;
    if (behind.length === 0 || attempt >= attempts || !writing) return { store, behind };
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, options.snapshotRetryMs ?? 1_000));
  }
}

/** `collection/id` of every document an event after `upTo` touches (read after the live snapshot). */
async function documentsChangedAfter(log: EventStore, upTo: number): Promise<ReadonlySet<string>> {
  const touched = new Set<string>();
  for await (const batch of log.readAll({ fromPosition: upTo })) {
    for (const event of batch) {
      for (const projection of allProjections as readonly Projection[]) {
        if (projection.streamPrefixes.length > 0 && !projection.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) continue;
        for (const ref of projection.targets(event)) touched.add(`${ref.collection}/${ref.id}`);
      }
    }
  }
  return touched;
}

async function compare(live: ReadStore, rebuilt: ReadStore, skip: ReadonlySet<string>) {
  const differences: ReadModelDifference[] = [];
  let documents = 0;
  let skipped = 0;
  for (const collection of Object.values(Collections)) {
    const [liveDocs, rebuiltDocs] = [await live.find(collection, {}), await rebuilt.find(collection, {})];
    const skippedHere = new Set([...liveDocs, ...rebuiltDocs].map((doc) => doc._id).filter((id) => skip.has(`${collection}/${id}`)));
    documents += new Set([...liveDocs, ...rebuiltDocs].map((doc) => doc._id)).size;
    skipped += skippedHere.size;
    differences.push(...diffCollection(collection, liveDocs, rebuiltDocs, BOOKKEEPING_FIELDS, skippedHere));
  }
  return { differences, documents, skipped };
}

function report(
  stdout: ProgressOutput,
  differences: readonly ReadModelDifference[],
  outcome: { documents: number; skipped: number },
  upTo: number,
  maxDifferences: number,
): void {
  const compared = `${formatCount(outcome.documents - outcome.skipped)} documents compared at position ${formatCount(upTo)}` +
    (outcome.skipped > 0 ? ` (${formatCount(outcome.skipped)} changed by later events, not compared)` : '');
  if (differences.length === 0) {
    stdout.write(`EQUAL: the rebuilt read models equal the live ones; ${compared}\n`);
    return;
  }
  stdout.write(`DIFFERENT: ${formatCount(differences.length)} difference(s) between the live and the rebuilt read models; ${compared}\n`);
  for (const difference of differences.slice(0, maxDifferences)) {
    stdout.write(`  ${difference.collection}${difference.id ? `/${difference.id}` : ''} [${difference.kind}] ${difference.detail}\n`);
  }
  if (differences.length > maxDifferences) stdout.write(`  … and ${formatCount(differences.length - maxDifferences)} more (--max-diffs)\n`);
}
