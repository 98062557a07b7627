// The EventStoreDB adapter, an entry point of its own (@scim/event-store/esdb): a process in
// embedded mode never loads the client and its gRPC stack (with MongoDB's driver, ~30 MB of RSS).
export { EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
export { EsdbEventDecodingError } from './esdb-mapping';
export { assertEsdbConnectionString } from './esdb-connection-string';
