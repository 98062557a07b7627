import { EventStoreDBClient } from '@eventstore/db-client';

/**
 * Throws the client's own parse error when it would not accept `connectionString`
 * (`esdb://host:2113?tls=false`, `esdb+discover://a:2113,b:2113`, ...). Connects to nothing: the
 * client dials lazily, so a bad string would otherwise surface only at the first call.
 */
export function assertEsdbConnectionString(connectionString: string): void {
  const client = EventStoreDBClient.connectionString(connectionString);
  void client.dispose();
}
