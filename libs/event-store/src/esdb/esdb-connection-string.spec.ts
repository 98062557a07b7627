import { assertEsdbConnectionString } from './esdb-connection-string';

describe('assertEsdbConnectionString', () => {
  it('accepts single-node and cluster connection strings without connecting', () => {
    expect(() => assertEsdbConnectionString('esdb://localhost:2113?tls=false')).not.toThrow();
    expect(() => assertEsdbConnectionString('esdb://admin:changeit@eventstore:2113?tls=true&nodePreference=follower')).not.toThrow();
    expect(() => assertEsdbConnectionString('esdb+discover://node1:2113,node2:2113,node3:2113?nodePreference=leader')).not.toThrow();
  });

  it('rejects what the client rejects, with its message', () => {
    expect(() => assertEsdbConnectionString('http://localhost:2113')).toThrow(/esdb:\/\//);
    expect(() => assertEsdbConnectionString('esdb://localhost:2113?tls=maybe')).toThrow(/true or false/);
    expect(() => assertEsdbConnectionString('esdb://localhost:2113?tls=true&tlsCAFile=/no/such/ca.crt')).toThrow(/certificate/);
  });

  it('refuses tlsVerifyCert=false, which the client ignores, pointing at tlsCAFile', () => {
    expect(() => assertEsdbConnectionString('esdb+discover://node1:2113,node2:2113?tls=true&tlsVerifyCert=false')).toThrow(/tlsCAFile=/);
  });
});
