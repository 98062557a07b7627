import { mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import type { Checkpoint, IndexSpec } from '../read-store.port';

// Documents are keyed by their insertion rank (the rowid), which the store keeps in memory for
// every document: new documents append to the table's b-tree, replacements and deletions address
// their row directly, and a load reads the table front to back. No other index: keyed by
// (collection, id) without a rowid, as the first version of this file was, every insert landed at
// a random place of a b-tree of 1 KB rows.
const SCHEMA = `
  DROP INDEX IF EXISTS documents_by_id;
  CREATE TABLE IF NOT EXISTS documents (
    ord        INTEGER PRIMARY KEY,
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    body       TEXT    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS checkpoints (
    projection TEXT PRIMARY KEY,
    position   INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS indexes (
    collection TEXT NOT NULL,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    PRIMARY KEY (collection, name)
  );
`;

/** Moves the documents of a file of the first layout (WITHOUT ROWID, keyed by collection and id). */
const MIGRATE_FROM_KEYED_LAYOUT = `
  ALTER TABLE documents RENAME TO documents_keyed;
  DROP INDEX IF EXISTS documents_by_insertion;
  CREATE TABLE documents (
    ord        INTEGER PRIMARY KEY,
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    body       TEXT    NOT NULL
  );
  INSERT INTO documents (ord, collection, id, body) SELECT ord, collection, id, body FROM documents_keyed ORDER BY ord;
  DROP TABLE documents_keyed;
`;


export interface DocumentRow {
  readonly collection: string;
  readonly id: string;
  readonly ord: number;
  readonly body: string;
}

/** A new body for a stored document, which keeps its place. */
export interface DocumentUpdate {
  readonly ord: number;
  readonly body: string;
}

/**
 * The embedded read store's durable copy: one SQLite file written through on every commit.
 * synchronous=NORMAL in WAL mode may lose the last commits on power loss, never consistency; the
 * checkpoint travels in the same transaction as its documents, so the projection runner replays
 * exactly what was lost.
 */
export class SqliteDocumentFile {
  private readonly insertDocument: Database.Statement<[number, string, string, string]>;
  private readonly updateDocument: Database.Statement<[string, number]>;
  private readonly deleteDocument: Database.Statement<[number]>;
  private readonly advanceCheckpoint: Database.Statement<[string, number]>;
  private readonly writeCommit: Database.Transaction<
    (
      deletions: readonly number[],
      updates: readonly DocumentUpdate[],
      inserts: readonly DocumentRow[],
      checkpoint: Checkpoint,
    ) => void
  >;

  static open(file: string): SqliteDocumentFile {
    if (file !== ':memory:') mkdirSync(dirname(resolvePath(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrateKeyedLayout(db);
      db.exec(SCHEMA);
      return new SqliteDocumentFile(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(private readonly db: Database.Database) {
    this.insertDocument = db.prepare('INSERT INTO documents (ord, collection, id, body) VALUES (?, ?, ?, ?)');
    this.updateDocument = db.prepare('UPDATE documents SET body = ? WHERE ord = ?');
    this.deleteDocument = db.prepare('DELETE FROM documents WHERE ord = ?');
    // Monotonic: a replayed, older commit never moves a checkpoint back.
    this.advanceCheckpoint = db.prepare(
      'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ' +
        'ON CONFLICT (projection) DO UPDATE SET position = MAX(position, excluded.position)',
    );
    this.writeCommit = db.transaction((deletions, updates, inserts, checkpoint) => {
      for (const ord of deletions) this.deleteDocument.run(ord);
      for (const { ord, body } of updates) this.updateDocument.run(body, ord);
      for (const row of inserts) this.insertDocument.run(row.ord, row.collection, row.id, row.body);
      this.advanceCheckpoint.run(checkpoint.projection, checkpoint.position);
    });
  }

  /** Every document in insertion order (so each collection's are in insertion order too). */
  documents(): IterableIterator<DocumentRow> {
    return this.db.prepare<[], DocumentRow>('SELECT collection, id, ord, body FROM documents ORDER BY ord').iterate();
  }

  checkpoints(): Map<string, number> {
    const rows = this.db
      .prepare<[], { projection: string; position: number }>('SELECT projection, position FROM checkpoints')
      .all();
    return new Map(rows.map((row) => [row.projection, row.position]));
  }

  indexes(): { collection: string; spec: IndexSpec }[] {
    return this.db
      .prepare<[], { collection: string; spec: string }>('SELECT collection, spec FROM indexes ORDER BY rowid')
      .all()
      .map((row) => ({ collection: row.collection, spec: JSON.parse(row.spec) as IndexSpec }));
  }

  /**
   * One transaction: rows deleted (by rank), bodies replaced in place, new rows (a document deleted
   * and re-created in one commit is a deletion and an insert under a new rank), the checkpoint.
   */
  commit(deletions: readonly number[], updates: readonly DocumentUpdate[], inserts: readonly DocumentRow[], checkpoint: Checkpoint): void {
    this.writeCommit.immediate(deletions, updates, inserts, checkpoint);
  }

  saveIndexes(collection: string, specs: readonly IndexSpec[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO indexes (collection, name, spec) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const spec of specs) insert.run(collection, spec.name, JSON.stringify(spec));
    })();
  }

  /** Documents and checkpoints go; index definitions stay, as in MongoDB after deleteMany. */
  clear(): void {
    this.db.exec('DELETE FROM documents; DELETE FROM checkpoints;');
  }

  close(): void {
    this.db.close();
  }
}

function migrateKeyedLayout(db: Database.Database): void {
  const table = db
    .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'")
    .get();
  if (!table || !/WITHOUT\s+ROWID/i.test(table.sql)) return;
  db.transaction(() => db.exec(MIGRATE_FROM_KEYED_LAYOUT)).immediate();
}
