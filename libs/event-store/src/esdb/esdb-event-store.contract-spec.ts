import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '@scim/event-store/testing/event-store.contract';
import { HashChainedEventStore } from '../hash-chain/hash-chained-event-store';
import { EsdbEventStore } from './esdb-event-store';

// Runs against a real server when one is given, e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false
describeEventStoreContract('EventStoreDB', () => {
  const connectionString = process.env.EVENTSTORE_URL;
  if (!connectionString) {
    return { skip: 'EVENTSTORE_URL not set (no EventStoreDB server on this machine)' };
  }
  return Promise.resolve({
    store: EsdbEventStore.connect({ connectionString }),
    streamPrefix: `contract-${randomUUID()}-`,
  });
});

// The hash-chain decorator over EventStoreDB (the production wiring): the contract holds there too.
describeEventStoreContract('EventStoreDB with hash chain', () => {
  const connectionString = process.env.EVENTSTORE_URL;
  if (!connectionString) {
    return { skip: 'EVENTSTORE_URL not set (no EventStoreDB server on this machine)' };
  }
  return Promise.resolve({
    store: new HashChainedEventStore(EsdbEventStore.connect({ connectionString })),
    streamPrefix: `contract-${randomUUID()}-`,
    addedMetadataKeys: ['chain'],
  });
});
