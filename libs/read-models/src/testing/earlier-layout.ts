import Database from 'better-sqlite3';

/**
 * Writes a read-model file in the layout earlier versions used (documents by insertion rank, their
 * index keys as JSON, user_version 1), holding `checkpoints` and one user document: what a data
 * folder written before the store moved to SQLite's own engine contains.
 */
export function writeEarlierLayoutFile(file: string, checkpoints: Readonly<Record<string, number>>): void {
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE entries (ord INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL);
      CREATE TABLE document_keys (ord INTEGER PRIMARY KEY, index_keys TEXT NOT NULL);
      CREATE TABLE bodies (ord INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE document_fields (ord INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, json INTEGER NOT NULL, PRIMARY KEY (ord, field));
      CREATE TABLE stored_apart (collection TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY (collection, field));
      CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE indexes (collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name));
      INSERT INTO entries VALUES (1, 'users', 'u1');
      INSERT INTO bodies VALUES (1, '{"_id":"u1","userName":"alice"}');
      PRAGMA user_version = 1;
    `);
    const insert = db.prepare('INSERT INTO checkpoints (projection, position) VALUES (?, ?)');
    for (const [projection, position] of Object.entries(checkpoints)) insert.run(projection, position);
  } finally {
    db.close();
  }
}

/** The names of the tables in a SQLite file. */
export function tablesOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  } finally {
    db.close();
  }
}
