import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { personalDataPolicy } from '@scim/domain';
import { type NewEvent, newEventId, type RecordedEvent, SqliteEventStore } from '@scim/event-store';
import { CHAIN_METADATA_KEY, ChainSealer, HashChainedEventStore, SEAL_STREAM, verifyChain } from '@scim/event-store/hash-chain';
import { EncryptingEventStore, loadRootKey, ROOT_KEY_FILE, SqliteSubjectKeyStore } from '@scim/event-store/personal-data';
import { CliError, type DataFiles, dataFilesOf, openEventLog } from '../data-dir';
import { formatCount, ProgressBar, type ProgressOutput } from '../progress';

/** The stream of the one event that ties an upgraded log to the log it was copied from. */
export const LINEAGE_STREAM = 'log-lineage';

/**
 * Copies a data folder's event log into a new folder with every personal field sealed
 * (docs/PRIVACY.md "Upgrading a data folder"). The old log must verify; the new log starts with a
 * `LogUpgraded` event naming the old log's last anchor, so its first seal vouches for that link.
 * Events keep their ids, streams, revisions, types and metadata; they get new positions, commit
 * times and chain links. Read models are rebuilt by the service on its first start.
 */
export async function upgrade(files: DataFiles, targetDir: string, stdout: ProgressOutput, stderr: ProgressOutput): Promise<number> {
  const target = dataFilesOf(targetDir, files.rootKey);
  if (existsSync(target.dataDir) && readdirSync(target.dataDir).length > 0) {
    throw new CliError(`${target.dataDir} is not empty: upgrade writes a new data folder`);
  }
  const old = openEventLog(files);
  try {
    const verified = await verifyChain(old);
    if (!verified.ok) throw new CliError(`${files.eventLog} does not verify (${verified.firstProblem?.reason ?? 'see verify'}): run verify and resolve it first`);
    if (!verified.seals.last) throw new CliError(`${files.eventLog} has no seal to link to: start and stop the service once on it (it seals at shutdown), then upgrade`);
    const anchor = verified.seals.last;

    mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
    copyFolderKeys(files.dataDir, target.dataDir);
    const keys = SqliteSubjectKeyStore.open({ file: target.keys, rootKey: loadRootKey({ file: target.rootKeyFile, fromEnvironment: target.rootKey }) });
    const chained = new HashChainedEventStore(SqliteEventStore.open({ file: target.eventLog }));
    const sealing = new EncryptingEventStore(chained, keys, personalDataPolicy);
    try {
      await sealing.append(
        LINEAGE_STREAM,
        [
          {
            id: newEventId(),
            type: 'LogUpgraded',
            data: { previousLog: { anchor: anchor.hash, sealPosition: anchor.position, sealedThrough: anchor.toPosition, events: verified.events }, upgradedAt: new Date().toISOString() },
            metadata: { actor: { kind: 'operator' }, occurredAt: new Date().toISOString() },
          },
        ],
        'no_stream',
      );
      const bar = new ProgressBar(stderr, 'upgrade');
      let copied = 0;
      let run: RecordedEvent[] = [];
      const flush = async () => {
        if (run.length === 0) return;
        const first = run[0];
        await sealing.append(first.streamId, run.map(asNewEvent), first.revision === 0 ? 'no_stream' : first.revision - 1);
        copied += run.length;
        run = [];
      };
      for await (const batch of old.readAll({ batchSize: 1_000 })) {
        for (const event of batch) {
          // The old seals vouch for old positions; the new log is sealed anew.
          if (event.streamId === SEAL_STREAM) continue;
          if (run.length > 0 && run[0].streamId !== event.streamId) await flush();
          run.push(event);
        }
        await flush();
        bar.update({ events: copied, position: batch[batch.length - 1].position, head: verified.headPosition });
      }
      bar.finish();
      await new ChainSealer(chained).seal();
      stdout.write(
        `Copied ${formatCount(copied)} events into ${target.eventLog}, personal fields sealed; its first event names the old log's anchor ${anchor.hash}.\n` +
          `${files.eventLog} still holds every personal value in clear: destroy it (and its -wal file and backups) once the new folder serves.\n`,
      );
      return 0;
    } finally {
      await chained.close();
      await keys.close();
    }
  } finally {
    await old.close();
  }
}

/** As appended: the old link is dropped, the new chain links it anew. */
function asNewEvent(event: RecordedEvent): NewEvent {
  const { [CHAIN_METADATA_KEY]: _link, ...metadata } = event.metadata;
  return { id: event.id, type: event.type, data: event.data, metadata };
}

/**
 * The old folder's own keys come along: the copied log still needs them (userName reservations are
 * named with name-hashing.key, webhook secrets are encrypted with webhook-secrets.key) and its
 * clients still hold the operator's and auditor's. The root key is the new folder's.
 */
function copyFolderKeys(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    if (!name.endsWith('.key') || name === ROOT_KEY_FILE) continue;
    copyFileSync(join(from, name), join(to, name));
    chmodSync(join(to, name), 0o600);
  }
}
