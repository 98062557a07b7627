export * from './event-store.port';
export { DelegatingEventStore } from './delegating-event-store';
export { newEventId } from './event-id';
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
export { EsdbEventStore, type EsdbEventStoreOptions } from './esdb/esdb-event-store';
export { EsdbEventDecodingError } from './esdb/esdb-mapping';
export { assertEsdbConnectionString } from './esdb/esdb-connection-string';
export {
  aggregateStream,
  type CommandResult,
  ConcurrencyError,
  type Decider,
  DEFAULT_MAX_RETRIES,
  handleCommand,
  type HandleCommandOptions,
  PreconditionFailedError,
  toDomainEvent,
  type Upcaster,
} from './handle-command';
