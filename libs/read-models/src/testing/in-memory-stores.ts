import { SqliteEventStore } from '@scim/event-store';
import { EmbeddedReadStore } from '../embedded/embedded-read-store';

export interface InMemoryStores {
  readonly eventStore: SqliteEventStore;
  readonly readStore: EmbeddedReadStore;
}

/** A fresh in-memory event store and read store for each test of the calling `describe`, closed after it. */
export function inMemoryStores(): InMemoryStores {
  const stores = {} as { eventStore: SqliteEventStore; readStore: EmbeddedReadStore };
  beforeEach(() => {
    stores.eventStore = SqliteEventStore.open({ file: ':memory:' });
    stores.readStore = EmbeddedReadStore.open({ file: ':memory:' });
  });
  afterEach(async () => {
    await stores.eventStore.close();
    await stores.readStore.close();
  });
  return stores;
}
