import type { MongoClient } from 'mongodb';

type Stored = Record<string, unknown> & { _id: unknown };
type Filter = Record<string, unknown>;

interface FakeCollectionData {
  readonly documents: Map<unknown, Stored>;
  readonly indexes: Set<string>;
}

/**
 * The part of MongoDB's driver the read store's rebuilds use, in memory, for tests on a machine
 * without a server: documents by `_id`, filters by `_id` (equal or `$in`) or top-level equality,
 * sorts, projections, `$max`/`$min`/`$inc`/`$set` upserts, transactions that roll back on error,
 * index names, collection renames and drops. Anything else throws, so a test never passes on a
 * query the fake only pretends to answer. `operations` records what changed the database's shape.
 */
export class FakeMongoClient {
  readonly operations: string[] = [];
  private readonly databases = new Map<string, Map<string, FakeCollectionData>>();
  /** Transactions run one at a time, so that a rollback restores nobody else's writes. */
  private transactions: Promise<void> = Promise.resolve();

  asClient(): MongoClient {
    return this as unknown as MongoClient;
  }

  db(name: string): FakeDb {
    let collections = this.databases.get(name);
    if (!collections) this.databases.set(name, (collections = new Map()));
    return new FakeDb(collections, this.operations);
  }

  startSession() {
    return {
      // Every collection restored when the callback fails: MongoDB's abort.
      withTransaction: (work: () => Promise<void>) => {
        const run = this.transactions.then(() => this.transaction(work));
        this.transactions = run.catch(() => undefined);
        return run;
      },
      endSession: async () => undefined,
    };
  }

  private async transaction(work: () => Promise<void>): Promise<void> {
    const saved = [...this.databases].map(([name, collections]) => [name, copyCollections(collections)] as const);
    try {
      await work();
    } catch (error) {
      for (const [name, collections] of saved) {
        const live = this.databases.get(name) as Map<string, FakeCollectionData>;
        live.clear();
        for (const [collection, data] of collections) live.set(collection, data);
      }
      throw error;
    }
  }

  async close(): Promise<void> {}
}

function copyCollections(collections: Map<string, FakeCollectionData>): Map<string, FakeCollectionData> {
  return new Map([...collections].map(([name, data]) => [name, { documents: new Map(data.documents), indexes: new Set(data.indexes) }]));
}

export class FakeDb {
  constructor(
    private readonly collections: Map<string, FakeCollectionData>,
    private readonly operations: string[],
  ) {}

  collection(name: string): FakeCollection {
    return new FakeCollection(name, () => this.data(name), () => this.collections.get(name), this.operations);
  }

  listCollections() {
    return { toArray: async () => [...this.collections.keys()].sort().map((name) => ({ name, type: 'collection' })) };
  }

  async renameCollection(from: string, to: string, options: { dropTarget?: boolean } = {}): Promise<void> {
    const source = this.collections.get(from);
    if (!source) throw new Error(`renameCollection: source namespace ${from} does not exist`);
    if (this.collections.has(to) && !options.dropTarget) throw new Error(`renameCollection: target namespace ${to} exists`);
    this.collections.delete(from);
    this.collections.set(to, source);
    this.operations.push(`rename ${from} -> ${to}${options.dropTarget ? ' (dropTarget)' : ''}`);
  }

  async dropCollection(name: string): Promise<boolean> {
    this.operations.push(`drop ${name}`);
    return this.collections.delete(name);
  }

  /** The collection, created by its first write or index, as MongoDB does. */
  private data(name: string): FakeCollectionData {
    let data = this.collections.get(name);
    if (!data) this.collections.set(name, (data = { documents: new Map(), indexes: new Set() }));
    return data;
  }
}

export class FakeCollection {
  constructor(
    readonly collectionName: string,
    private readonly created: () => FakeCollectionData,
    private readonly existing: () => FakeCollectionData | undefined,
    private readonly operations: string[],
  ) {}

  async createIndexes(descriptions: ReadonlyArray<{ readonly name?: string }>): Promise<string[]> {
    const names = descriptions.map(({ name }) => name ?? 'unnamed');
    for (const name of names) this.created().indexes.add(name);
    return names;
  }

  /** The index names, as `listIndexes` would give them (no `_id_`). */
  indexNames(): string[] {
    return [...(this.existing()?.indexes ?? [])];
  }

  async findOne(filter: Filter, options: { projection?: Record<string, 0 | 1> } = {}): Promise<Stored | null> {
    return (await this.find(filter, { ...options, limit: 1 }).toArray())[0] ?? null;
  }

  find(filter: Filter, options: { projection?: Record<string, 0 | 1>; sort?: [string, 1 | -1][]; skip?: number; limit?: number } = {}) {
    return {
      toArray: async () => {
        let found = this.matching(filter);
        if (options.sort) found = [...found].sort(comparator(options.sort));
        found = found.slice(options.skip ?? 0, options.limit === undefined ? undefined : (options.skip ?? 0) + options.limit);
        return found.map((doc) => project(doc, options.projection));
      },
    };
  }

  async countDocuments(filter: Filter): Promise<number> {
    return this.matching(filter).length;
  }

  async bulkWrite(operations: readonly Record<string, { filter?: Filter; document?: Stored }>[]): Promise<void> {
    const { documents } = this.created();
    for (const operation of operations) {
      if (operation.deleteMany) {
        for (const doc of this.matching(operation.deleteMany.filter ?? {})) documents.delete(doc._id);
      } else if (operation.insertOne) {
        const document = operation.insertOne.document as Stored;
        if (documents.has(document._id)) throw Object.assign(new Error(`E11000 duplicate key error collection: ${this.collectionName} index: _id_`), { code: 11000 });
        documents.set(document._id, structuredClone(document));
      } else {
        throw new Error(`The fake driver does not run ${Object.keys(operation).join(', ')}`);
      }
    }
  }

  async updateOne(filter: Filter, update: Record<string, Record<string, unknown>>, options: { upsert?: boolean } = {}): Promise<void> {
    this.operations.push(`update ${this.collectionName} ${String(filter._id)} ${Object.keys(update).join(' ')}`);
    const [found] = this.matching(filter);
    if (!found && !options.upsert) return;
    const doc: Stored = found ? { ...found } : { _id: filter._id };
    for (const [operator, fields] of Object.entries(update)) {
      for (const [field, value] of Object.entries(fields)) doc[field] = applyUpdate(operator, doc[field], value);
    }
    this.created().documents.set(doc._id, doc);
  }

  async deleteMany(filter: Filter): Promise<void> {
    const data = this.existing();
    for (const doc of this.matching(filter)) data?.documents.delete(doc._id);
  }

  private matching(filter: Filter): Stored[] {
    const documents = [...(this.existing()?.documents.values() ?? [])];
    return documents.filter((doc) => Object.entries(filter).every(([field, condition]) => matches(doc[field], condition)));
  }
}

function matches(value: unknown, condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return value === condition;
  const operators = Object.keys(condition);
  if (operators.length === 1 && Array.isArray((condition as { $in?: unknown }).$in)) return (condition as { $in: unknown[] }).$in.includes(value);
  throw new Error(`The fake driver matches only equality and $in, not ${JSON.stringify(condition)}`);
}

function applyUpdate(operator: string, current: unknown, value: unknown): unknown {
  switch (operator) {
    case '$set':
      return value;
    case '$inc':
      return (typeof current === 'number' ? current : 0) + (value as number);
    case '$max':
      return typeof current === 'number' ? Math.max(current, value as number) : value;
    case '$min':
      return typeof current === 'number' ? Math.min(current, value as number) : value;
    default:
      throw new Error(`The fake driver does not apply ${operator}`);
  }
}

function comparator(sort: readonly [string, 1 | -1][]): (a: Stored, b: Stored) => number {
  return (a, b) => {
    for (const [field, direction] of sort) {
      const [x, y] = [a[field], b[field]] as [string | number, string | number];
      if (x !== y) return (x < y ? -1 : 1) * direction;
    }
    return 0;
  };
}

function project(doc: Stored, projection: Record<string, 0 | 1> | undefined): Stored {
  if (!projection) return structuredClone(doc);
  const including = Object.values(projection).includes(1);
  const entries = Object.entries(doc).filter(([field]) => (including ? projection[field] === 1 : projection[field] !== 0));
  return structuredClone(Object.fromEntries(entries) as Stored);
}
