import { EventStoreDBClient } from '@eventstore/db-client';

/**
 * Throws the client's own parse error when it would not accept `connectionString`
 * (`esdb://host:2113?tls=false`, `esdb+discover://a:2113,b:2113`, ...). Connects to nothing: the
 * client dials lazily, so a bad string would otherwise surface only at the first call.
 *
 * Also refuses `tlsVerifyCert=false`: client 6.2 accepts it and ignores it (with a console warning),
 * so a cluster with a private CA would fail at the first call instead. `tlsCAFile=` is the way.
 */
export function assertEsdbConnectionString(connectionString: string): void {
  if (/[?&]tlsVerifyCert=false(&|$)/i.test(connectionString)) {
    throw new Error('tlsVerifyCert=false is ignored by the EventStoreDB client; name the private CA with tlsCAFile=/path/to/ca.crt instead');
  }
  const client = EventStoreDBClient.connectionString(connectionString);
  void client.dispose();
}
