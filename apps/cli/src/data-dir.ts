import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '@scim/event-store';

/** A failure the operator can fix (a wrong path, a missing account): exit code 2, no stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** The files of the embedded service in DATA_DIR (see the README's configuration table). */
export interface DataFiles {
  readonly dataDir: string;
  readonly eventLog: string;
  readonly readModels: string;
}

export function dataFilesOf(dataDir: string | undefined): DataFiles {
  const directory = resolve(dataDir || 'data');
  return { dataDir: directory, eventLog: join(directory, 'events.db'), readModels: join(directory, 'read-models.db') };
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
