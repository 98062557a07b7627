import { mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { compileFilter, compileIndexKeys, compileSort, jsonPathOf, REGEXP_FUNCTION, splitPath, type Sql, topLevelEqualities, topLevelFieldsOf } from '../query/sql-query';
import { type Checkpoint, type Doc, type DocumentChange, type FindOptions, type IndexSpec, type Query, ReadStore, UniqueIndexViolationError } from '../read-store.port';
import { assertCheckpointNotMoved, assertTopLevelFields, assertValidCheckpoint, assertValidCollectionName, assertValidFindOptions, planWrites } from '../store-rules';
import { assertCommitWithinLimits, changeSizeBound, MAX_COMMIT_BYTES, MAX_DOCUMENT_BYTES } from '../store-limits';

export interface EmbeddedReadStoreOptions {
  /** SQLite file (created when missing), or ':memory:'. */
  readonly file: string | ':memory:';
  /**
   * A store being rebuilt from nothing, deleted if that fails: written without journal or sync, so
   * each page is written once. Never for the live read models.
   */
  readonly scratch?: boolean;
}

/**
 * `user_version` of this layout. A file of an earlier layout (0 or 1: documents keyed by insertion
 * rank, indexes kept on the JS heap) is emptied on open, not migrated: its checkpoints go with its
 * documents, so the projections rebuild it from the event log.
 */
const LAYOUT_VERSION = 2;

const CATALOG = `
  CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS collections (name TEXT PRIMARY KEY, stored_apart TEXT NOT NULL DEFAULT '[]');
  CREATE TABLE IF NOT EXISTS indexes (collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name));
`;

// Distinct SQL texts are few (one per query shape), but a client can vary the shape of its filters.
const CACHED_STATEMENTS = 500;

interface Index {
  readonly spec: IndexSpec;
  readonly table: string;
  /** The keys of the document in `@doc` (JSON text), as columns k0, k1, …. */
  readonly keys: Sql;
  readonly touchesStoredApart: boolean;
}

interface Collection {
  readonly name: string;
  readonly table: string;
  readonly storedApart: string[];
  readonly indexes: Map<string, Index>;
}

/**
 * The in-process read store, on SQLite's own engine: one table per collection (the document's JSON,
 * and a column for each string field stored apart), in insertion order by an integer key that an
 * UPSERT keeps, so a replaced document keeps its place. Each index is a WITHOUT ROWID table of
 * (keys…, document): MongoDB indexes every element of an array, which an expression index cannot.
 * Queries are compiled to SQL (query/sql-query.ts); nothing of the documents or indexes is held in
 * memory. Every read parses the stored JSON afresh, so callers cannot change the store.
 */
export class EmbeddedReadStore extends ReadStore {
  private readonly collections = new Map<string, Collection>();
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  static open(options: EmbeddedReadStoreOptions): EmbeddedReadStore {
    if (options.file !== ':memory:') mkdirSync(dirname(resolvePath(options.file)), { recursive: true });
    const db = new Database(options.file);
    try {
      db.pragma(options.scratch ? 'journal_mode = OFF' : 'journal_mode = WAL');
      // NORMAL in WAL mode may lose the last commits on power loss, never consistency: the checkpoint
      // travels in the same transaction as its documents, so the runner replays what was lost.
      db.pragma(options.scratch ? 'synchronous = OFF' : 'synchronous = NORMAL');
      // Deleted personal data is overwritten, not left in free pages.
      db.pragma('secure_delete = ON');
      // A CLI opening the live file beside the service waits for its commits instead of failing.
      db.pragma('busy_timeout = 5000');
      const regexps = new Map<string, RegExp>();
      db.function(REGEXP_FUNCTION, { deterministic: true }, (source, flags, value) => {
        const key = `${String(flags)}/${String(source)}`;
        let regexp = regexps.get(key);
        if (!regexp) {
          if (regexps.size > CACHED_STATEMENTS) regexps.clear();
          regexps.set(key, (regexp = new RegExp(String(source), String(flags))));
        }
        return regexp.test(String(value)) ? 1 : 0;
      });
      if (db.pragma('user_version', { simple: true }) !== LAYOUT_VERSION) startLayout(db);
      return new EmbeddedReadStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(private readonly db: Database.Database) {
    super();
    for (const { name, stored_apart } of db.prepare<[], { name: string; stored_apart: string }>('SELECT name, stored_apart FROM collections').all()) {
      this.collections.set(name, { name, table: quote(`c:${name}`), storedApart: JSON.parse(stored_apart) as string[], indexes: new Map() });
    }
    for (const { collection, spec } of db.prepare<[], { collection: string; spec: string }>('SELECT collection, spec FROM indexes ORDER BY rowid').all()) {
      const state = this.collections.get(collection);
      if (state) state.indexes.set((JSON.parse(spec) as IndexSpec).name, indexOf(state, JSON.parse(spec) as IndexSpec));
    }
  }

  override async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    const specs = indexes.map(normalizeIndexSpec);
    this.db.transaction(() => {
      const state = this.createCollection(collection);
      for (const spec of specs) {
        const existing = state.indexes.get(spec.name);
        if (existing) {
          if (JSON.stringify(existing.spec) !== JSON.stringify(spec)) throw new Error(`Index ${spec.name} on ${collection} already exists with a different definition`);
          continue;
        }
        const index = indexOf(state, spec);
        const columns = spec.fields.map((_, at) => `k${at}`).join(', ');
        this.db.exec(`CREATE TABLE ${index.table} (${columns}, doc INTEGER NOT NULL, PRIMARY KEY (${columns}${spec.unique ? '' : ', doc'})) WITHOUT ROWID`);
        const rows = this.db.prepare(`SELECT inserted, _id, ${storedDocument(state, 'd')} FROM ${state.table} d`).raw().all() as [number, string, string][];
        for (const [inserted, id, doc] of rows) this.insertKeys(index, collection, id, inserted, doc);
        this.db.prepare('INSERT INTO indexes (collection, name, spec) VALUES (?, ?, ?)').run(collection, spec.name, JSON.stringify(spec));
        state.indexes.set(spec.name, index);
      }
    }).immediate();
  }

  /**
   * String values of these fields are written to a column of their own from the next write of each
   * document on, kept as they are: reading one alone parses nothing.
   */
  override async ensureStoredApart(collection: string, fields: readonly string[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    assertTopLevelFields(fields);
    if (fields.includes('_id')) throw new TypeError('_id cannot be stored apart');
    for (const field of fields) jsonPathOf(field);
    this.db.transaction(() => {
      const state = this.createCollection(collection);
      for (const field of fields) {
        if (state.storedApart.includes(field)) continue;
        this.db.exec(`ALTER TABLE ${state.table} ADD COLUMN ${apartColumn(field)} TEXT`);
        state.storedApart.push(field);
      }
      for (const [name, index] of state.indexes) state.indexes.set(name, indexOf(state, index.spec));
      this.db.prepare('UPDATE collections SET stored_apart = ? WHERE name = ?').run(JSON.stringify(state.storedApart), collection);
    }).immediate();
    this.statements.clear();
  }

  override async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    const [found] = await this.find<T>(collection, { _id: id }, { limit: 1 });
    return found ?? null;
  }

  override async findOne<T extends Doc>(collection: string, query: Query): Promise<T | null> {
    const [first] = await this.find<T>(collection, query, { limit: 1 });
    return first ?? null;
  }

  override async find<T extends Doc>(collection: string, query: Query, options: FindOptions = {}): Promise<T[]> {
    this.assertOpen();
    assertValidFindOptions(options);
    const state = this.collections.get(collection);
    const plan = planQuery(state ?? emptyCollection(collection), query, options);
    if (!state || options.limit === 0) return [];
    const fields = options.fields?.filter((field) => field !== '_id');
    const params: Record<string, unknown> = { ...plan.params, limit: options.limit ?? -1, skip: options.skip ?? 0 };
    const columns = fields ? fields.map((field, at) => `d.doc -> @f${at}${state.storedApart.includes(field) ? `, d.${apartColumn(field)}` : ''}`) : ['d.doc', ...state.storedApart.map((field) => `d.${apartColumn(field)}`)];
    fields?.forEach((field, at) => (params[`f${at}`] = jsonPathOf(field)));
    const rows = this.statement(`SELECT ${['d._id', ...columns].join(', ')} ${plan.from} ORDER BY ${plan.order} LIMIT @limit OFFSET @skip`).raw().all(params) as (string | null)[][];
    return rows.map((row) => (fields ? picked(state, fields, row) : whole(state, row)) as T);
  }

  override async count(collection: string, query: Query): Promise<number> {
    this.assertOpen();
    const state = this.collections.get(collection);
    const plan = planQuery(state ?? emptyCollection(collection), query, {});
    if (!state) return 0;
    return this.statement(`SELECT COUNT(*) ${plan.from}`).pluck().get(plan.params) as number;
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    this.assertOpen();
    assertValidCheckpoint(checkpoint);
    const writesByCollection = planWrites(changes);
    // MongoDB's limits, measured exactly only when a bound from the JSON text the commit makes
    // anyway does not already show the commit within them.
    let sizeBound = 0;
    let someDocumentMayBeTooLarge = false;
    const stored = new Map<string, { body: string; apart: (string | null)[]; whole?: string }>();
    for (const [collection, writes] of writesByCollection) {
      const storedApart = this.collections.get(collection)?.storedApart ?? [];
      for (const [id, { doc }] of writes) {
        if (doc === null) {
          sizeBound += changeSizeBound(id.length);
          continue;
        }
        const form = storedForm(doc, storedApart);
        const bound = changeSizeBound(form.apart.reduce((length, value) => length + (value?.length ?? 0), form.body.length));
        sizeBound += bound;
        if (bound > MAX_DOCUMENT_BYTES) someDocumentMayBeTooLarge = true;
        stored.set(`${collection}\0${id}`, form);
      }
    }
    if (someDocumentMayBeTooLarge || sizeBound > MAX_COMMIT_BYTES) assertCommitWithinLimits(changes);

    this.db.transaction(() => {
      const position = this.db.prepare<[string], number>('SELECT position FROM checkpoints WHERE projection = ?').pluck().get(checkpoint.projection);
      assertCheckpointNotMoved(checkpoint, position ?? 0);
      for (const [collection, writes] of writesByCollection) {
        const state = this.createCollection(collection);
        // Every changed document's keys go first, so that documents of one commit may swap keys.
        for (const [id, { doc, recreated }] of writes) {
          const row = this.statement(`SELECT inserted, ${storedDocument(state, 'd')} FROM ${state.table} d WHERE _id = ?`).raw().get(id) as [number, string] | undefined;
          if (row === undefined) continue;
          const [inserted, stored] = row;
          for (const index of state.indexes.values()) {
            const columns = index.spec.fields.map((_, at) => `k${at}`).join(', ');
            this.statement(`DELETE FROM ${index.table} WHERE doc = @inserted AND (${columns}) IN (${index.keys.text})`).run({ ...index.keys.params, doc: stored, inserted });
          }
          // A deleted then re-created document takes a new place, last.
          if (doc === null || recreated) this.statement(`DELETE FROM ${state.table} WHERE inserted = ?`).run(inserted);
        }
        const columns = ['_id', 'doc', ...state.storedApart.map(apartColumn)];
        const upsert = this.statement(
          `INSERT INTO ${state.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
            `ON CONFLICT (_id) DO UPDATE SET ${columns.slice(1).map((column) => `${column} = excluded.${column}`).join(', ')} RETURNING inserted`,
        );
        for (const [id, { doc }] of writes) {
          if (doc === null) continue;
          const form = stored.get(`${collection}\0${id}`) ?? storedForm(doc, state.storedApart);
          const inserted = upsert.pluck().get(id, form.body, ...form.apart) as number;
          for (const index of state.indexes.values()) {
            this.insertKeys(index, collection, id, inserted, index.touchesStoredApart ? (form.whole ??= JSON.stringify(doc)) : form.body);
          }
        }
      }
      this.statement('INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = MAX(position, excluded.position)').run(
        checkpoint.projection,
        checkpoint.position,
      );
    }).immediate();
  }

  override async checkpoint(projection: string): Promise<number> {
    this.assertOpen();
    return (this.statement('SELECT position FROM checkpoints WHERE projection = ?').pluck().get(projection) as number | undefined) ?? 0;
  }

  /** Documents and checkpoints go; indexes and fields stored apart stay, as in MongoDB after deleteMany. */
  override async clear(): Promise<void> {
    this.assertOpen();
    this.db.transaction(() => {
      for (const state of this.collections.values()) {
        this.db.exec(`DELETE FROM ${state.table}`);
        for (const index of state.indexes.values()) this.db.exec(`DELETE FROM ${index.table}`);
      }
      this.db.exec('DELETE FROM checkpoints');
    }).immediate();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** Files a document (its JSON text) under its keys in an index; a unique key another document holds is refused. */
  private insertKeys(index: Index, collection: string, id: string, inserted: number, doc: string): void {
    try {
      this.statement(`INSERT INTO ${index.table} SELECT keys.*, @inserted FROM (${index.keys.text}) keys`).run({ ...index.keys.params, doc, inserted });
    } catch (error) {
      throw uniqueViolation(error, collection, index.spec.name, id);
    }
  }

  /** The collection's table, created on first write or declaration. */
  private createCollection(name: string): Collection {
    const existing = this.collections.get(name);
    if (existing) return existing;
    const state: Collection = { name, table: quote(`c:${name}`), storedApart: [], indexes: new Map() };
    // `inserted` is the rowid: new documents append, an UPSERT keeps it, VACUUM does not renumber it.
    this.db.exec(`CREATE TABLE ${state.table} (inserted INTEGER PRIMARY KEY, _id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)`);
    this.db.prepare('INSERT INTO collections (name) VALUES (?)').run(name);
    this.collections.set(name, state);
    return state;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, (statement = this.db.prepare(sql)));
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EmbeddedReadStore is closed');
  }
}

/** Drops whatever an earlier layout left (see LAYOUT_VERSION) and creates this one's catalog. */
function startLayout(db: Database.Database): void {
  db.transaction(() => {
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all();
    for (const table of tables) db.exec(`DROP TABLE ${quote(table)}`);
    db.exec(CATALOG);
    db.pragma(`user_version = ${LAYOUT_VERSION}`);
  }).immediate();
}

interface QueryPlan {
  /** FROM and WHERE clauses, the document table aliased `d`. */
  readonly from: string;
  readonly order: string;
  readonly params: Record<string, unknown>;
}

/**
 * SQL for a query: documents named by `_id` through the table's unique key; else, when the query
 * pins every field of an index by equality (the widest such index), the documents under that key,
 * read in insertion order straight off the index table. The whole query is then tested on those
 * documents, unless it is nothing but the equalities the key stands for.
 */
function planQuery(state: Collection, query: Query, options: FindOptions): QueryPlan {
  const apart = topLevelFieldsOf(query, options.sort);
  const doc = storedDocument(state, 'd', (field) => apart.has(field));
  const filter = compileFilter(query, doc);
  const sort = options.sort ? compileSort(options.sort, doc) : undefined;
  const params: Record<string, unknown> = { ...filter.params, ...sort?.params };
  const where: string[] = [];
  let from = `FROM ${state.table} d`;
  let order = 'd.inserted';
  let exact = false;
  const ids = idsOf(query._id);
  if (ids) {
    where.push('d._id IN (SELECT value FROM json_each(@ids))');
    params.ids = JSON.stringify(ids);
    exact = Object.keys(query).length === 1;
  } else {
    const equalities = topLevelEqualities(query);
    let best: Index | undefined;
    for (const index of state.indexes.values()) {
      if (index.spec.fields.every(([field]) => equalities.has(field)) && index.spec.fields.length > (best?.spec.fields.length ?? 0)) best = index;
    }
    if (best) {
      from = `FROM ${best.table} k JOIN ${state.table} d ON d.inserted = k.doc`;
      order = 'k.doc';
      best.spec.fields.forEach(([field], at) => {
        where.push(`k.k${at} = @key${at}`);
        params[`key${at}`] = equalities.get(field);
      });
      exact = Object.keys(query).length === best.spec.fields.length && Object.keys(query).every((field) => equalities.has(field));
    }
  }
  if (!exact) where.push(filter.text);
  return {
    from: `${from}${where.length > 0 ? ` WHERE ${where.map((clause) => `(${clause})`).join(' AND ')}` : ''}`,
    order: sort ? `${sort.text}, d.inserted` : order,
    params,
  };
}

/** `'x'`, `{$eq: 'x'}` or `{$in: ['x', …]}`: the ids a query on `_id` names, else undefined. */
function idsOf(condition: unknown): string[] | undefined {
  if (typeof condition === 'string') return [condition];
  if (typeof condition !== 'object' || condition === null || Object.keys(condition).length !== 1) return undefined;
  const { $eq, $in } = condition as { $eq?: unknown; $in?: unknown };
  if (typeof $eq === 'string') return [$eq];
  return Array.isArray($in) && $in.every((id) => typeof id === 'string') ? $in : undefined;
}

/** The document as stored in row `d`, its fields stored apart put back (those `needed`, by default all). */
function storedDocument(state: Collection, d: string, needed: (field: string) => boolean = () => true): string {
  let doc = `${d}.doc`;
  for (const field of state.storedApart.filter(needed)) {
    const column = `${d}.${apartColumn(field)}`;
    doc = `CASE WHEN ${column} IS NULL THEN ${doc} ELSE json_set(${doc}, '${jsonPathOf(field)}', ${column}) END`;
  }
  return doc;
}

function indexOf(state: Collection, spec: IndexSpec): Index {
  const fields = spec.fields.map(([field]) => field);
  return {
    spec,
    table: quote(`i:${state.name}$${spec.name}`),
    keys: compileIndexKeys(fields, '@doc'),
    touchesStoredApart: fields.some((field) => state.storedApart.includes(field.split('.')[0])),
  };
}

function emptyCollection(name: string): Collection {
  return { name, table: quote(`c:${name}`), storedApart: [], indexes: new Map() };
}

/**
 * The body and the string fields stored apart of a document: each of those leaves `null` in the
 * body where it stands, so the document reads back with its keys in the same order.
 */
function storedForm(doc: Doc, storedApart: readonly string[]): { body: string; apart: (string | null)[]; whole?: string } {
  const apart = storedApart.map((field) => (typeof doc[field] === 'string' ? (doc[field] as string) : null));
  if (apart.every((value) => value === null)) return { body: JSON.stringify(doc), apart };
  const rest: Record<string, unknown> = {};
  for (const key in doc) rest[key] = typeof doc[key] === 'string' && storedApart.includes(key) ? null : doc[key];
  return { body: JSON.stringify(rest), apart };
}

/** A row of `SELECT _id, doc, <stored apart…>`. */
function whole(state: Collection, [, body, ...apart]: (string | null)[]): Doc {
  const doc = JSON.parse(body as string) as Record<string, unknown>;
  state.storedApart.forEach((field, at) => {
    if (apart[at] !== null) doc[field] = apart[at];
  });
  return doc as Doc;
}

/** A row of `SELECT _id, <each field as JSON, and its column when stored apart>`: MongoDB's inclusion projection. */
function picked(state: Collection, fields: readonly string[], [id, ...values]: (string | null)[]): Doc {
  const doc: Record<string, unknown> = { _id: id };
  let at = 0;
  for (const field of fields) {
    const json = values[at++];
    const apart = state.storedApart.includes(field) ? values[at++] : null;
    if (apart !== null) doc[field] = apart;
    else if (json !== null) doc[field] = JSON.parse(json);
  }
  return doc as Doc;
}

function normalizeIndexSpec(spec: IndexSpec): IndexSpec {
  if (typeof spec?.name !== 'string' || spec.name.length === 0) throw new TypeError('An index needs a name');
  if (!Array.isArray(spec.fields) || spec.fields.length === 0) throw new TypeError(`Index ${spec.name} needs at least one field`);
  const fields = spec.fields.map(([field, direction]) => {
    splitPath(field);
    if (direction !== 1 && direction !== -1) throw new TypeError(`Index ${spec.name}: direction of ${field} must be 1 or -1`);
    return [field, direction] as const;
  });
  return { name: spec.name, fields, unique: spec.unique === true };
}

function uniqueViolation(error: unknown, collection: string, index: string, documentId?: string): unknown {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' ? new UniqueIndexViolationError(collection, index, documentId) : error;
}

function apartColumn(field: string): string {
  return quote(`apart:${field}`);
}

/** An SQL identifier; names come from code, but a quote in one must not end it. */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
