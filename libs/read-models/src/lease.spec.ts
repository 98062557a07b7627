import { EmbeddedReadStore } from './embedded/embedded-read-store';
import { ReadStoreLease } from './lease';
import type { ReadStore } from './read-store.port';

// The lease relies only on the port's checkpoint guard, which the contract suites hold every adapter to.
describe('ReadStoreLease', () => {
  let store: EmbeddedReadStore;
  let clock: number;
  const lease = (holder: string, on: ReadStore = store) => new ReadStoreLease(on, { name: 'webhooks', holder, ttlMs: 1000, now: () => clock });

  beforeEach(() => {
    store = EmbeddedReadStore.open({ file: ':memory:' });
    clock = 1_000_000;
  });
  afterEach(() => store.close());

  test('one holder at a time; the other takes it once it expires', async () => {
    const [a, b] = [lease('a'), lease('b')];

    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    clock += 999;
    expect(a.held()).toBe(true);
    expect(await b.acquire()).toBe(false);
    clock += 1;
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
  });

  test('renewing keeps it: the holder renews within the TTL and no one else gets it', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.acquire();
    for (let round = 0; round < 5; round++) {
      clock += 600;
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
    }
    expect(a.held()).toBe(true);
  });

  test('of two replicas that both saw the lease expired, only one takes it', async () => {
    await lease('old').acquire();
    clock += 5000;
    // Both read the expired lease before either commits.
    const reads: Array<() => void> = [];
    const bothRead = new Promise<void>((resolve) => {
      const get = store.get.bind(store);
      jest.spyOn(store, 'get').mockImplementation(async (collection, id) => {
        const found = await get(collection, id);
        await new Promise<void>((release) => {
          reads.push(release);
          if (reads.length === 2) resolve();
        });
        return found as never;
      });
    });
    const racing = Promise.all([lease('a').acquire(), lease('b').acquire()]);
    await bothRead;
    reads.forEach((release) => release());

    expect((await racing).sort()).toEqual([false, true]);
  });

  test('released, it is free at once', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.acquire();
    await a.release();

    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
  });

  test('releasing a lease another holder took since leaves theirs alone', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.acquire();
    clock += 2000;
    await b.acquire();
    clock -= 1500; // a still believes it holds it (by its own count)
    await a.release();
    clock += 1500;

    expect(await a.acquire()).toBe(false);
    expect(b.held()).toBe(true);
  });
});
