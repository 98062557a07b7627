import { resolve as resolvePath } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { startSqliteThread } from './sqlite-thread';

/**
 * The thread's program (`startSqliteThread`): a PASSIVE checkpoint per request (copies what it can
 * without waiting for readers or the writer, whose commits go on meanwhile), one reply each.
 */
const CHECKPOINTER_PROGRAM = `
// NORMAL (or FULL): the checkpoint syncs the WAL before copying it and the database file after.
db.pragma('synchronous = NORMAL');
return () => {
  const [{ busy, log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
  return { busy, log, checkpointed };
};
`;

type CheckpointReply =
  | { readonly busy: number; readonly log: number; readonly checkpointed: number }
  | { readonly error: string };

/**
 * SQLite's own auto-checkpoint, on the event loop, kept beside the thread's. The thread's
 * checkpoints never catch up with a file being written, and only a checkpoint that does lets the
 * next commit start the WAL over: this one, by the writer itself, copies what the thread has not yet
 * (and takes over if the thread stops). For the event log at 20,000 pages the WAL grew to 80 MB; at
 * 4,000 it stays under 17 MB for the same loop time.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 4_000;

/**
 * Copies the WAL back into the database file on a thread of its own. SQLite's auto-checkpoint
 * runs inside the commit that takes the WAL past 1,000 pages, on the event loop, with an fsync of
 * each file: with it on a thread, the commits hold the loop ~30 % less for the same CPU (measured,
 * BENCHMARKS.md "fsync"). The store reports what it commits (`committed`), and a checkpoint is asked
 * for once enough rows were committed since the last one; one runs at a time.
 */
export class WalCheckpointer {
  /** Started by the first request: a store that never writes much never starts a thread. */
  private thread: { readonly worker: Worker; readonly exited: Promise<void> } | undefined;
  private settle: ((reply: CheckpointReply) => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private completed = 0;
  private lastError: string | undefined;
  private rowsSinceRequest = 0;
  private readonly file: string;

  /**
   * The checkpointer of `db`'s file, asked for a checkpoint every `rowsPerCheckpoint` rows
   * committed; SQLite's own auto-checkpoint is set back to the backstop.
   */
  constructor(db: Database.Database, private readonly rowsPerCheckpoint: number) {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    this.file = resolvePath(db.name);
  }

  /** Checkpoints done, and the last failure (the next request tries again; nothing is lost meanwhile). */
  get stats(): { readonly checkpoints: number; readonly lastError?: string } {
    return { checkpoints: this.completed, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** `rows` more rows committed (events, documents): a checkpoint is asked for once enough were. */
  committed(rows: number): void {
    this.rowsSinceRequest += rows;
    if (this.rowsSinceRequest < this.rowsPerCheckpoint) return;
    this.rowsSinceRequest = 0;
    this.request();
  }

  /** Starts a checkpoint unless one runs (then the next request covers what this one would). */
  private request(): void {
    if (this.running || this.stopped) return;
    this.running = new Promise<void>((resolve) => {
      this.settle = (reply) => {
        this.settle = undefined;
        this.running = undefined;
        if ('error' in reply) this.lastError = reply.error;
        else this.completed++;
        resolve();
      };
    });
    this.thread ??= this.startThread();
    this.thread.worker.postMessage('checkpoint');
  }

  /** Waits for the checkpoint in flight, then closes the thread's connection. */
  async stop(): Promise<void> {
    const wasRunning = !this.stopped;
    this.stopped = true;
    if (!this.thread) return;
    // Until the thread exits it holds the process: unref'd, a process waiting only for it would
    // end here, in the middle of a shutdown.
    this.thread.worker.ref();
    await this.running;
    if (wasRunning) this.thread.worker.postMessage('stop');
    await this.thread.exited;
  }

  private startThread(): { readonly worker: Worker; readonly exited: Promise<void> } {
    const worker = startSqliteThread(this.file, CHECKPOINTER_PROGRAM);
    worker.on('message', (reply: CheckpointReply) => this.settle?.(reply));
    worker.on('error', (error) => this.settle?.({ error: error.message }));
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        // A thread gone for good: the main connection's own auto-checkpoint takes over.
        this.stopped = true;
        this.settle?.({ error: 'the checkpointer thread exited' });
        resolve();
      }),
    );
    // The thread never holds the process open; stop() ends it.
    worker.unref();
    return { worker, exited };
  }
}
