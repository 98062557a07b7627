export * from './event-store.port';
export { DelegatingEventStore } from './delegating-event-store';
export { newEventId } from './event-id';
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
export { DataFolderInUseError, DataFolderLock } from './sqlite/data-folder-lock';
export { SqliteRangeDigester } from './sqlite/sqlite-range-digester';
// The EventStoreDB adapter is imported from '@scim/event-store/esdb', so that this index loads no client.
export {
  aggregateStream,
  appendOnlyLog,
  type CommandResult,
  ConcurrencyError,
  type Decider,
  type Decision,
  decideAndAppend,
  DEFAULT_RETRY_POLICY,
  handleCommand,
  type HandleCommandOptions,
  PreconditionFailedError,
  retryOnConflict,
  type RetryPolicy,
  type StreamModel,
  toDomainEvent,
  type Upcaster,
} from './handle-command';
