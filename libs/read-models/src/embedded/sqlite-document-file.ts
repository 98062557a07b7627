import { mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import type { Checkpoint, IndexSpec } from '../read-store.port';

// Documents are keyed by their insertion rank (the rowid), which the store keeps in memory for
// every document: new documents append to the tables' b-trees, replacements and deletions address
// their rows directly. No other index: keyed by (collection, id) without a rowid, as the first
// version of this file was, every insert landed at a random place of a b-tree of 1 KB rows.
//
// A document is three rows of the same rank: its entry (collection and id: what a collection's
// first use reads, narrow rows so that scan reads little), its keys in each equality index of its
// collection (JSON by index name: an index is rebuilt from them without parsing a body, when a
// query first needs it), its body (the JSON text, read when a query returns the document). The
// fields its collection stores apart (see ReadStore.ensureStoredApart) have a row each in
// document_fields, a string as it is (no JSON to parse), and `null` in the body where they stand.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    ord        INTEGER PRIMARY KEY,
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS document_keys (
    ord        INTEGER PRIMARY KEY,
    index_keys TEXT    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS bodies (
    ord  INTEGER PRIMARY KEY,
    body TEXT    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS document_fields (
    ord   INTEGER NOT NULL,
    field TEXT    NOT NULL,
    value TEXT    NOT NULL,
    json  INTEGER NOT NULL,
    PRIMARY KEY (ord, field)
  );
  CREATE TABLE IF NOT EXISTS stored_apart (
    collection TEXT NOT NULL,
    field      TEXT NOT NULL,
    PRIMARY KEY (collection, field)
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
  DROP INDEX IF EXISTS documents_by_insertion;
  INSERT INTO entries (ord, collection, id) SELECT ord, collection, id FROM documents ORDER BY ord;
  INSERT INTO bodies (ord, body) SELECT ord, body FROM documents ORDER BY ord;
  DROP TABLE documents;
`;

/** Splits the rows of the second layout (one documents table by rank, bodies inline). */
const MIGRATE_FROM_ONE_TABLE = `
  DROP INDEX IF EXISTS documents_by_id;
  INSERT INTO entries (ord, collection, id) SELECT ord, collection, id FROM documents;
  INSERT INTO bodies (ord, body) SELECT ord, body FROM documents;
  DROP TABLE documents;
`;

/** user_version once every document has its index keys (documents moved from older layouts have none). */
const KEYED_VERSION = 1;

/** A document's keys in each index of its collection, by index name. */
export type IndexKeys = Readonly<Record<string, readonly string[]>>;

/** A field stored apart: a string as it is, any other value as JSON text (`json`). */
export interface StoredField {
  readonly field: string;
  readonly value: string;
  readonly json: boolean;
}

export interface DocumentRow {
  readonly collection: string;
  readonly id: string;
  readonly ord: number;
  readonly body: string;
  readonly indexKeys: IndexKeys;
  /** `indexKeys` as stored: JSON text. */
  readonly indexKeysJson: string;
  /** The fields the collection stores apart that this version has. */
  readonly apart: readonly StoredField[];
  /** The collection's fields stored apart that this version lacks (rows of an older version go). */
  readonly notApart: readonly string[];
}

/** What opening the store reads of each document. */
export interface DocumentEntry {
  readonly collection: string;
  readonly id: string;
  readonly ord: number;
}

/** A document version to write: a new one, or one that replaces a stored version and keeps its place. */
export interface DocumentUpdate extends DocumentRow {
  /** The keys of the version it replaces as stored, read before the commit (undefined for a new document): the same as `indexKeysJson`, they are not written again. */
  readonly storedIndexKeys: string | undefined;
}

/**
 * The embedded read store's durable copy: one SQLite file written through on every commit.
 * synchronous=NORMAL in WAL mode may lose the last commits on power loss, never consistency; the
 * checkpoint travels in the same transaction as its documents, so the projection runner replays
 * exactly what was lost.
 */
export class SqliteDocumentFile {
  private readonly insertEntry: Database.Statement<[number, string, string]>;
  private readonly insertBody: Database.Statement<[number, string]>;
  private readonly writeKeys: Database.Statement<[number, string]>;
  private readonly updateBody: Database.Statement<[string, number]>;
  private readonly deleteEntry: Database.Statement<[number]>;
  private readonly deleteKeys: Database.Statement<[number]>;
  private readonly deleteBody: Database.Statement<[number]>;
  private readonly writeField: Database.Statement<[number, string, string, number]>;
  private readonly deleteField: Database.Statement<[number, string]>;
  private readonly deleteFields: Database.Statement<[number]>;
  private readonly selectFields: Database.Statement<[string], [number, string, string, number]>;
  private readonly selectSomeFields: Database.Statement<[string, string], [number, string, string, number]>;
  private readonly selectFieldsWithIds: Database.Statement<[string, string], [number, string, string, string, number]>;
  private readonly selectFieldWithId: Database.Statement<[number, string], [string, string, number]>;
  private readonly selectFieldRangeWithIds: Database.Statement<[number, number, string], [number, string, string, number]>;
  private readonly selectIds: Database.Statement<[string], [number, string]>;
  private readonly selectBody: Database.Statement<[number], string>;
  private readonly selectBodies: Database.Statement<[string], [number, string]>;
  private readonly selectIndexKeys: Database.Statement<[number], string | null>;
  private readonly advanceCheckpoint: Database.Statement<[string, number]>;
  private readonly writeCommit: Database.Transaction<
    (
      deletions: readonly number[],
      updates: readonly DocumentUpdate[],
      inserts: readonly DocumentRow[],
      checkpoint: Checkpoint,
    ) => void
  >;

  /**
   * `scratch`: a file filled from nothing, and deleted if that fails (a rebuild's target): no
   * journal and no sync, so each page is written once (a 1M-event rebuild writes 3 s faster). A
   * crash or a failed commit may leave it inconsistent; opened later without `scratch`, it is an
   * ordinary WAL file again.
   */
  static open(file: string, scratch = false): SqliteDocumentFile {
    if (file !== ':memory:') mkdirSync(dirname(resolvePath(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma(scratch ? 'journal_mode = OFF' : 'journal_mode = WAL');
      db.pragma(scratch ? 'synchronous = OFF' : 'synchronous = NORMAL');
      // A deleted or rewritten document's bytes are zeroed, not left in free pages (an erased person, docs/PRIVACY.md).
      db.pragma('secure_delete = ON');
      // A CLI opening the live file beside the service must wait for its commits, not fail.
      db.pragma('busy_timeout = 5000');
      // Only writes when something is missing: opening an existing file beside the service takes no lock.
      db.exec(SCHEMA);
      migrateOlderLayouts(db);
      return new SqliteDocumentFile(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(private readonly db: Database.Database) {
    this.insertEntry = db.prepare('INSERT INTO entries (ord, collection, id) VALUES (?, ?, ?)');
    this.insertBody = db.prepare('INSERT INTO bodies (ord, body) VALUES (?, ?)');
    this.writeKeys = db.prepare('INSERT OR REPLACE INTO document_keys (ord, index_keys) VALUES (?, ?)');
    this.updateBody = db.prepare('UPDATE bodies SET body = ? WHERE ord = ?');
    this.deleteEntry = db.prepare('DELETE FROM entries WHERE ord = ?');
    this.deleteKeys = db.prepare('DELETE FROM document_keys WHERE ord = ?');
    this.deleteBody = db.prepare('DELETE FROM bodies WHERE ord = ?');
    this.selectBody = db.prepare<[number], string>('SELECT body FROM bodies WHERE ord = ?').pluck();
    // One statement for a page of documents costs a third of one statement per document.
    this.selectBodies = db
      .prepare<[string], [number, string]>('SELECT ord, body FROM bodies WHERE ord IN (SELECT value FROM json_each(?))')
      .raw();
    // Updated in place when the row exists (REPLACE would delete it and insert it again, in both b-trees).
    this.writeField = db.prepare(
      'INSERT INTO document_fields (ord, field, value, json) VALUES (?, ?, ?, ?) ON CONFLICT (ord, field) DO UPDATE SET value = excluded.value, json = excluded.json',
    );
    this.deleteField = db.prepare('DELETE FROM document_fields WHERE ord = ? AND field = ?');
    this.deleteFields = db.prepare('DELETE FROM document_fields WHERE ord = ?');
    this.selectFields = db
      .prepare<[string], [number, string, string, number]>('SELECT ord, field, value, json FROM document_fields WHERE ord IN (SELECT value FROM json_each(?))')
      .raw();
    this.selectSomeFields = db
      .prepare<[string, string], [number, string, string, number]>(
        'SELECT ord, field, value, json FROM document_fields WHERE ord IN (SELECT value FROM json_each(?)) AND field IN (SELECT value FROM json_each(?))',
      )
      .raw();
    this.selectIds = db.prepare<[string], [number, string]>('SELECT ord, id FROM entries WHERE ord IN (SELECT value FROM json_each(?))').raw();
    this.selectFieldsWithIds = db
      .prepare<[string, string], [number, string, string, string, number]>(
        'SELECT f.ord, e.id, f.field, f.value, f.json FROM document_fields f JOIN entries e ON e.ord = f.ord ' +
          'WHERE f.ord IN (SELECT value FROM json_each(?)) AND f.field IN (SELECT value FROM json_each(?))',
      )
      .raw();
    // A lookup's one document and a page of neighbouring ranks (a page of an index key in insertion
    // order): no JSON list of ranks to build and take apart, and a range walks the rows in b-tree
    // order instead of seeking each one. Few columns: each costs a value per row.
    this.selectFieldWithId = db
      .prepare<[number, string], [string, string, number]>(
        'SELECT e.id, f.value, f.json FROM document_fields f JOIN entries e ON e.ord = f.ord WHERE f.ord = ? AND f.field = ?',
      )
      .raw();
    this.selectFieldRangeWithIds = db
      .prepare<[number, number, string], [number, string, string, number]>(
        'SELECT f.ord, e.id, f.value, f.json FROM document_fields f JOIN entries e ON e.ord = f.ord WHERE f.ord BETWEEN ? AND ? AND f.field = ?',
      )
      .raw();
    this.selectIndexKeys = db.prepare<[number], string | null>('SELECT index_keys FROM document_keys WHERE ord = ?').pluck();
    // Monotonic: a replayed, older commit never moves a checkpoint back.
    this.advanceCheckpoint = db.prepare(
      'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ' +
        'ON CONFLICT (projection) DO UPDATE SET position = MAX(position, excluded.position)',
    );
    this.writeCommit = db.transaction((deletions, updates, inserts, checkpoint) => {
      for (const ord of deletions) {
        this.deleteEntry.run(ord);
        this.deleteKeys.run(ord);
        this.deleteBody.run(ord);
        this.deleteFields.run(ord);
      }
      for (const update of updates) {
        // Many new versions keep their keys (an attribute no index covers): those are not rewritten.
        if (update.storedIndexKeys !== update.indexKeysJson) this.writeKeys.run(update.ord, update.indexKeysJson);
        this.updateBody.run(update.body, update.ord);
        this.writeFieldsOf(update);
        for (const field of update.notApart) this.deleteField.run(update.ord, field);
      }
      for (const row of inserts) {
        this.insertEntry.run(row.ord, row.collection, row.id);
        this.writeKeys.run(row.ord, row.indexKeysJson);
        this.insertBody.run(row.ord, row.body);
        this.writeFieldsOf(row);
      }
      this.advanceCheckpoint.run(checkpoint.projection, checkpoint.position);
    });
  }

  private writeFieldsOf({ ord, apart }: Pick<DocumentRow, 'ord' | 'apart'>): void {
    for (const { field, value, json } of apart) this.writeField.run(ord, field, value, json ? 1 : 0);
  }

  /** Rank by id of the collection's documents, in insertion order. */
  ranksOf(collection: string): Map<string, number> {
    const rows = this.db.prepare('SELECT id, ord FROM entries WHERE collection = ? ORDER BY ord').raw().iterate(collection) as IterableIterator<[string, number]>;
    const ranks = new Map<string, number>();
    for (const [id, ord] of rows) ranks.set(id, ord);
    return ranks;
  }

  /** The highest rank of a document still stored (0 when none is). */
  highestRank(): number {
    return this.db.prepare<[], number>('SELECT COALESCE(MAX(ord), 0) FROM entries').pluck().get() ?? 0;
  }

  /** The documents without stored index keys (moved from an older layout); none once `indexKeysComplete`. */
  entriesWithoutIndexKeys(): DocumentEntry[] {
    if (this.db.pragma('user_version', { simple: true }) === KEYED_VERSION) return [];
    return this.db
      .prepare<[], DocumentEntry>(
        'SELECT entries.collection, entries.id, entries.ord FROM entries LEFT JOIN document_keys ON document_keys.ord = entries.ord ' +
          'WHERE document_keys.ord IS NULL ORDER BY entries.ord',
      )
      .all();
  }

  /** Every document has its index keys now: later opens need not look for rows without. */
  indexKeysComplete(): void {
    if (this.db.pragma('user_version', { simple: true }) !== KEYED_VERSION) this.db.pragma(`user_version = ${KEYED_VERSION}`);
  }

  /** Every key of every document of the collection in one index, in insertion order. */
  forEachIndexKey(collection: string, index: string, visit: (ord: number, key: string) => void): void {
    const rows = this.db
      .prepare(
        'SELECT entries.ord, key.value FROM entries JOIN document_keys ON document_keys.ord = entries.ord, ' +
          "json_each(document_keys.index_keys, '$.' || json_quote(?)) AS key WHERE entries.collection = ? ORDER BY entries.ord",
      )
      .raw()
      .iterate(index, collection) as IterableIterator<[number, string]>;
    for (const [ord, key] of rows) visit(ord, key);
  }

  /** The JSON text of a stored document. */
  body(ord: number): string {
    const body = this.selectBody.get(ord);
    if (body === undefined) throw new Error(`No document at rank ${ord} in the read-model file`);
    return body;
  }

  /** The JSON texts of stored documents, by rank. */
  bodies(ords: readonly number[]): Map<number, string> {
    return new Map(this.selectBodies.all(JSON.stringify(ords)));
  }

  /** The fields stored apart of these documents (all of them, or those named in `only`), by rank. */
  fields(ords: readonly number[], only?: readonly string[]): Map<number, StoredField[]> {
    const rows = only ? this.selectSomeFields.all(JSON.stringify(ords), JSON.stringify(only)) : this.selectFields.all(JSON.stringify(ords));
    const byOrd = new Map<number, StoredField[]>();
    for (const [ord, field, value, json] of rows) addField(byOrd, ord, storedField(field, value, json));
    return byOrd;
  }

  /**
   * These fields stored apart of these documents, with their ids (a document without any is not
   * there; with no fields asked, the ids alone), by rank. May hold other documents ranked between
   * them: a page's neighbouring ranks are read as one range.
   */
  fieldsWithIds(ords: readonly number[], only: readonly string[]): Map<number, { readonly id: string; readonly fields: StoredField[] }> {
    const byOrd = new Map<number, { readonly id: string; readonly fields: StoredField[] }>();
    if (only.length === 0) {
      for (const [ord, id] of this.selectIds.all(JSON.stringify(ords))) byOrd.set(ord, { id, fields: [] });
      return byOrd;
    }
    const first = ords[0];
    const last = ords[ords.length - 1];
    if (only.length === 1 && ords.length === 1) {
      const row = this.selectFieldWithId.get(first, only[0]);
      if (row) byOrd.set(first, { id: row[0], fields: [storedField(only[0], row[1], row[2])] });
      return byOrd;
    }
    // Dense enough that the rows between are mostly wanted ones (ranks are shared by all collections).
    if (only.length === 1 && isAscending(ords) && last - first < 2 * ords.length) {
      for (const [ord, id, value, json] of this.selectFieldRangeWithIds.all(first, last, only[0])) {
        byOrd.set(ord, { id, fields: [storedField(only[0], value, json)] });
      }
      return byOrd;
    }
    for (const [ord, id, field, value, json] of this.selectFieldsWithIds.all(JSON.stringify(ords), JSON.stringify(only))) {
      const stored = storedField(field, value, json);
      const found = byOrd.get(ord);
      if (found) found.fields.push(stored);
      else byOrd.set(ord, { id, fields: [stored] });
    }
    return byOrd;
  }

  /** The fields each collection stores apart. */
  storedApart(): { collection: string; field: string }[] {
    return this.db.prepare<[], { collection: string; field: string }>('SELECT collection, field FROM stored_apart ORDER BY rowid').all();
  }

  /** Fields of a collection stored apart from documents written from now on. */
  saveStoredApart(collection: string, fields: readonly string[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO stored_apart (collection, field) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const field of fields) insert.run(collection, field);
    })();
  }

  /** The keys last saved with a stored document, as JSON text (undefined when it has none). */
  storedIndexKeys(ord: number): string | undefined {
    return this.selectIndexKeys.get(ord) ?? undefined;
  }

  /** Saves recomputed keys (after an index was added, or for rows moved from an older layout). */
  saveIndexKeys(documentKeys: readonly { readonly ord: number; readonly indexKeys: IndexKeys }[]): void {
    this.db.transaction(() => {
      for (const { ord, indexKeys } of documentKeys) this.writeKeys.run(ord, JSON.stringify(indexKeys));
    })();
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

  /** New index definitions and every document's keys in them, in one transaction. */
  saveIndexes(
    collection: string,
    specs: readonly IndexSpec[],
    documentKeys: readonly { readonly ord: number; readonly indexKeys: IndexKeys }[],
  ): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO indexes (collection, name, spec) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const spec of specs) insert.run(collection, spec.name, JSON.stringify(spec));
      this.saveIndexKeys(documentKeys);
    })();
  }

  /** Documents and checkpoints go; index definitions and fields stored apart stay, as in MongoDB after deleteMany. */
  clear(): void {
    this.db.exec('DELETE FROM entries; DELETE FROM document_keys; DELETE FROM bodies; DELETE FROM document_fields; DELETE FROM checkpoints;');
  }

  close(): void {
    this.db.close();
  }
}

function isAscending(ords: readonly number[]): boolean {
  for (let index = 1; index < ords.length; index++) if (ords[index] <= ords[index - 1]) return false;
  return true;
}

/** A row of document_fields (`json` stored as 0 or 1). */
function storedField(field: string, value: string, json: number): StoredField {
  return { field, value, json: json === 1 };
}

function addField(byOrd: Map<number, StoredField[]>, ord: number, stored: StoredField): void {
  const fields = byOrd.get(ord);
  if (fields) fields.push(stored);
  else byOrd.set(ord, [stored]);
}

function migrateOlderLayouts(db: Database.Database): void {
  const table = db
    .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'")
    .get();
  if (!table) return;
  db.transaction(() => db.exec(/WITHOUT\s+ROWID/i.test(table.sql) ? MIGRATE_FROM_KEYED_LAYOUT : MIGRATE_FROM_ONE_TABLE)).immediate();
}
