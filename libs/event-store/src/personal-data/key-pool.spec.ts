import { randomUUID } from 'node:crypto';
import { KeyCache, KeyPool } from './key-pool';
import { newKey } from './key-wrapping';

describe('KeyPool', () => {
  const made: Array<{ accountId: string; count: number }> = [];
  const make = (accountId: string, count: number) => {
    made.push({ accountId, count });
    return Array.from({ length: count }, () => ({ keyId: randomUUID(), key: newKey() }));
  };
  beforeEach(() => made.splice(0));

  it('makes keys per account in batches that double up to the most, and hands each out once', async () => {
    const pool = new KeyPool(make, { firstBatch: 2, maxBatch: 8 });
    const given = [];
    for (let i = 0; i < 20; i++) given.push(await pool.take('acme'));
    await pool.take('globex');
    expect(new Set(given.map((key) => key.keyId)).size).toBe(20);
    // The next 8 are on their way already: a quarter of the batch was left.
    expect(made.filter((batch) => batch.accountId === 'acme').map((batch) => batch.count)).toEqual([2, 4, 8, 8, 8]);
    expect(made.filter((batch) => batch.accountId === 'globex').map((batch) => batch.count)).toEqual([2]);
  });

  it('knows which keys still wait in it, and drains them all', async () => {
    const pool = new KeyPool(make, { firstBatch: 4 });
    const taken = await pool.take('acme');
    expect(pool.holds(taken.keyId)).toBe(false);
    const left = pool.drain();
    expect(left).toHaveLength(3);
    expect(left.some((key) => pool.holds(key.keyId))).toBe(false);
    expect(left.map((key) => key.keyId)).not.toContain(taken.keyId);
  });

  it('fails the takes waiting on a refill that failed, and tries again on the next take', async () => {
    let fail = true;
    const pool = new KeyPool((accountId, count) => {
      if (fail) throw new Error('disk full');
      return make(accountId, count);
    });
    await expect(Promise.all([pool.take('acme'), pool.take('acme')])).rejects.toThrow('disk full');
    fail = false;
    await expect(pool.take('acme')).resolves.toMatchObject({ keyId: expect.any(String) });
  });
});

describe('KeyCache', () => {
  it('holds at most its size (emptied when full), and nothing at size 0', () => {
    const cache = new KeyCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, 3]);
    const none = new KeyCache<number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
  });
});
