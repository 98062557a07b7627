import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'owner.lock';
const PID_FILE = 'owner.pid';

/** Another process (or another app in this one) holds the data folder. */
export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';

  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    super(`DATA_DIR ${dataDir} is in use by another process${holderPid === undefined ? '' : ` (pid ${holderPid})`}: stop it, or give this one another DATA_DIR`);
  }
}

/**
 * The exclusive owner of an embedded data folder. Two services on one folder would each project
 * only their own writes and corrupt each other's read models, so the first one to start owns it.
 *
 * The lock is SQLite's own (an fcntl lock on DATA_DIR/owner.lock held by an EXCLUSIVE locking-mode
 * connection): the kernel drops it when the process dies, even by kill -9, so there is never a
 * stale lock to clean up by hand. owner.pid only names the holder in the refusal.
 */
export class DataFolderLock {
  private constructor(private readonly connection: Database.Database) {}

  /** Takes the folder or throws DataFolderInUseError at once (no waiting). */
  static acquire(dataDir: string): DataFolderLock {
    const connection = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      connection.pragma('locking_mode = EXCLUSIVE');
      connection.pragma('journal_mode = MEMORY');
      // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close.
      connection.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner; INSERT INTO owner VALUES (' + process.pid + ')');
    } catch (error) {
      connection.close();
      if (isBusy(error)) throw new DataFolderInUseError(dataDir, holderPid(dataDir));
      throw error;
    }
    writeFileSync(join(dataDir, PID_FILE), `${process.pid}\n`, { mode: 0o600 });
    return new DataFolderLock(connection);
  }

  release(): void {
    if (this.connection.open) this.connection.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function holderPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
