import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { personalDataPolicy } from '@scim/domain';
import { type EventStore, SqliteEventStore } from '@scim/event-store';
import { EncryptingEventStore, loadRootKey, ROOT_KEY_FILE, SqliteSubjectKeyStore, type SubjectKeyStore } from '@scim/event-store/personal-data';

/** A failure the operator can fix (a wrong path, a missing account): exit code 2, no stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** The files of the embedded service in DATA_DIR (see the README's configuration table). */
export interface DataFiles {
  readonly dataDir: string;
  readonly eventLog: string;
  readonly readModels: string;
  /** The data keys that open personal fields (docs/PRIVACY.md), and the root key that opens them. */
  readonly keys: string;
  readonly rootKeyFile: string;
  /** ROOT_KEY, when the service gets its root key from the environment. */
  readonly rootKey?: string;
}

export function dataFilesOf(dataDir: string | undefined, rootKey?: string): DataFiles {
  const directory = resolve(dataDir || 'data');
  return {
    dataDir: directory,
    eventLog: join(directory, 'events.db'),
    readModels: join(directory, 'read-models.db'),
    keys: join(directory, 'keys.db'),
    rootKeyFile: join(directory, ROOT_KEY_FILE),
    rootKey: rootKey || undefined,
  };
}

/**
 * The event log, read-only: the service may be running (WAL lets a reader in beside the writer),
 * and a replay or an audit must not be able to change the history it reads.
 */
export function openEventLog(files: DataFiles): SqliteEventStore {
  if (!existsSync(files.eventLog)) {
    throw new CliError(`No event log at ${files.eventLog}: set DATA_DIR (or --data-dir) to the service's data folder`);
  }
  return SqliteEventStore.open({ file: files.eventLog, readonly: true });
}

/**
 * The event log as readers of its content see it (export, rebuild): personal fields opened with the
 * key store, read-only; an erased person's read as `[erased]`. A folder without a key store (written
 * before sealing existed) is read as it is. `verify` reads the stored bytes instead.
 */
export function openOpenedEventLog(files: DataFiles): EventStore {
  const log = openEventLog(files);
  if (!existsSync(files.keys)) return log;
  let keys: SqliteSubjectKeyStore;
  try {
    const rootKey = loadRootKey({ file: files.rootKeyFile, fromEnvironment: files.rootKey, create: false });
    keys = SqliteSubjectKeyStore.open({ file: files.keys, rootKey, readonly: true });
  } catch (error) {
    void log.close();
    throw new CliError(`Cannot open the key store ${files.keys}: ${error instanceof Error ? error.message : String(error)} (set ROOT_KEY as the service has it)`);
  }
  return new KeyOwningEventLog(log, keys);
}

/** Closes the key store with the log. */
class KeyOwningEventLog extends EncryptingEventStore {
  constructor(
    log: EventStore,
    private readonly keyStore: SubjectKeyStore,
  ) {
    super(log, keyStore, personalDataPolicy);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.keyStore.close();
  }
}
