import { type DataKey, SubjectErasedError } from './subject-key-store.port';

export interface KeyPoolOptions {
  /** Keys made for an account the first time (default 8): an account with few people wastes few. */
  readonly firstBatch?: number;
  /** Each refill makes twice the last, up to this (default 256). */
  readonly maxBatch?: number;
}

interface AccountPool {
  readonly keys: DataKey[];
  batch: number;
  refilling?: Promise<void>;
}

/**
 * Data keys made ahead, per account (each is wrapped by its account's key): `make` writes a batch
 * durably in one go (one fsync), so a create takes a key that is already safe on disk instead of
 * waiting for a durable write of its own. Refilled in the background once a quarter is left.
 * The keys are handed out only by this process: after a restart, the ones left are never reused.
 */
export class KeyPool {
  private readonly pools = new Map<string, AccountPool>();
  private readonly pooledIds = new Set<string>();
  private readonly firstBatch: number;
  private readonly maxBatch: number;

  constructor(
    private readonly make: (accountId: string, count: number) => DataKey[] | Promise<DataKey[]>,
    options: KeyPoolOptions = {},
  ) {
    this.firstBatch = options.firstBatch ?? 8;
    this.maxBatch = Math.max(this.firstBatch, options.maxBatch ?? 256);
  }

  /** A key no one was given before; waits only when the account's pool ran dry. */
  async take(accountId: string): Promise<DataKey> {
    const pool = this.poolOf(accountId);
    for (;;) {
      const key = pool.keys.pop();
      if (key) this.pooledIds.delete(key.keyId);
      if (pool.keys.length <= pool.batch / 4) this.refill(pool, accountId).catch(() => undefined);
      if (key) return key;
      // A failed refill reaches the creates waiting on it; the next take tries again.
      await this.refill(pool, accountId);
    }
  }

  /** True while the key waits in a pool: it was never handed out, so nothing may open with it. */
  holds(keyId: string): boolean {
    return this.pooledIds.has(keyId);
  }

  /** Empties the pools (closing): the keys returned were never handed out, nothing was sealed with them. */
  drain(): DataKey[] {
    const unused = [...this.pools.values()].flatMap((pool) => pool.keys.splice(0));
    this.pools.clear();
    this.pooledIds.clear();
    return unused;
  }

  private poolOf(accountId: string): AccountPool {
    let pool = this.pools.get(accountId);
    if (!pool) {
      pool = { keys: [], batch: this.firstBatch };
      this.pools.set(accountId, pool);
    }
    return pool;
  }

  private refill(pool: AccountPool, accountId: string): Promise<void> {
    pool.refilling ??= (async () => {
      // Off the caller's stack, and the creates of this tick wait for one batch together.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const made = await this.make(accountId, pool.batch);
      for (const key of made) this.pooledIds.add(key.keyId);
      pool.keys.push(...made);
      pool.batch = Math.min(this.maxBatch, pool.batch * 2);
    })().finally(() => {
      pool.refilling = undefined;
    });
    return pool.refilling;
  }
}

/**
 * Unwrapped keys kept in memory, at most `size` (0: none). Emptied when full rather than evicting
 * the oldest: deleting a Map's first keys one by one costs microseconds each once many deletions
 * lie at its front (measured: 74 µs per opened event).
 */
export class KeyCache<Value> {
  private readonly entries = new Map<string, Value>();

  constructor(private readonly size: number) {}

  get(id: string): Value | undefined {
    return this.entries.get(id);
  }

  set(id: string, value: Value): void {
    if (this.size === 0) return;
    if (this.entries.size >= this.size) this.entries.clear();
    this.entries.set(id, value);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}

/**
 * Hands a subject its key once however often it is asked meanwhile, and never after an erasure
 * that came while the key was on its way (waiting for a pool's batch or the store): the key found
 * is then dropped unused, so a create racing an erasure cannot bring the person's key back.
 */
export class KeyHandout {
  private readonly giving = new Map<string, Promise<DataKey>>();
  private readonly erasedWhileGiving = new Set<string>();

  /** `find` the subject's key, then `keep` it (cache, bind) unless the subject was erased in between. */
  give<Found>(subjectId: string, find: () => Promise<Found>, keep: (found: Found) => DataKey): Promise<DataKey> {
    let giving = this.giving.get(subjectId);
    if (!giving) {
      giving = find()
        .then((found) => {
          if (this.erasedWhileGiving.has(subjectId)) throw new SubjectErasedError(subjectId);
          return keep(found);
        })
        .finally(() => {
          this.giving.delete(subjectId);
          this.erasedWhileGiving.delete(subjectId);
        });
      this.giving.set(subjectId, giving);
    }
    return giving;
  }

  /** The subject's keys are being destroyed: a handout under way gives nothing. */
  erasing(subjectId: string): void {
    if (this.giving.has(subjectId)) this.erasedWhileGiving.add(subjectId);
  }
}
