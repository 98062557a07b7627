import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to embedded mode on port 8080 with ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.storage).toEqual({ kind: 'embedded' });
  });

  it('switches to distributed mode only with both URLs', () => {
    expect(loadConfig({ EVENTSTORE_URL: 'esdb://x:2113', MONGODB_URL: 'mongodb://y' }).storage.kind).toBe('distributed');
    expect(() => loadConfig({ EVENTSTORE_URL: 'esdb://x:2113' })).toThrow(ConfigError);
  });

  it('rejects a bad port, a relative PUBLIC_URL and a short operator key with a clear message', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT must be an integer');
    expect(() => loadConfig({ PUBLIC_URL: 'example.com' })).toThrow('PUBLIC_URL');
    expect(() => loadConfig({ OPERATOR_KEY: 'short' })).toThrow('OPERATOR_KEY');
  });

  it('refuses private webhook targets, waits 10 s and retries for 24 h by default; refuses bad webhook settings by name', () => {
    expect(loadConfig({}).webhooks).toEqual({
      allowPrivateTargets: false,
      timeoutMs: 10_000,
      retryInitialDelayMs: 1000,
      retryMaxDelayMs: 60_000,
      retryWindowMs: 86_400_000,
      maxInFlight: 32,
      secretsKey: undefined,
    });
    expect(loadConfig({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' }).webhooks.allowPrivateTargets).toBe(true);
    expect(() => loadConfig({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow('WEBHOOKS_ALLOW_PRIVATE_TARGETS must be true or false');
    expect(() => loadConfig({ WEBHOOKS_TIMEOUT_MS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_SECRETS_KEY: 'short' })).toThrow(new ConfigError('WEBHOOK_SECRETS_KEY must be at least 32 characters'));
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://scim.example.com/' }).publicUrl).toBe('https://scim.example.com');
  });

  describe('distributed mode', () => {
    const distributed = { EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', MONGODB_URL: 'mongodb://mongodb:27017/scim_eu?replicaSet=rs0' };

    it('keeps the URLs, takes the database from MONGODB_URL and leaves projections to the projector', () => {
      expect(loadConfig(distributed).storage).toEqual({
        kind: 'distributed',
        eventStoreUrl: 'esdb://eventstore:2113?tls=false',
        mongoUrl: 'mongodb://mongodb:27017/scim_eu?replicaSet=rs0',
        mongoDatabase: 'scim_eu',
        runProjections: false,
      });
    });

    it('uses the "scim" database when MONGODB_URL names none', () => {
      expect(loadConfig({ ...distributed, MONGODB_URL: 'mongodb://mongodb:27017/?replicaSet=rs0' }).storage).toMatchObject({ mongoDatabase: 'scim' });
    });

    it('projects in-process only when RUN_PROJECTIONS=true', () => {
      expect(loadConfig({ ...distributed, RUN_PROJECTIONS: 'true' }).storage).toMatchObject({ runProjections: true });
      expect(loadConfig({ ...distributed, RUN_PROJECTIONS: 'false' }).storage).toMatchObject({ runProjections: false });
      expect(() => loadConfig({ ...distributed, RUN_PROJECTIONS: 'yes' })).toThrow('RUN_PROJECTIONS must be true or false, got "yes"');
    });

    it('rejects URLs the clients would not accept, naming the variable and not repeating a password', () => {
      const badEsdb = () => loadConfig({ ...distributed, EVENTSTORE_URL: 'http://admin:s3cret@eventstore:2113' });
      expect(badEsdb).toThrow(ConfigError);
      expect(badEsdb).toThrow(/^EVENTSTORE_URL is not an EventStoreDB connection string/);
      expect(badEsdb).not.toThrow(/s3cret/);
      expect(() => loadConfig({ ...distributed, EVENTSTORE_URL: 'esdb://eventstore:2113?tls=maybe' })).toThrow(/EVENTSTORE_URL.*true or false/);

      const badMongo = () => loadConfig({ ...distributed, MONGODB_URL: 'mongodb://reader:s3cret@mongodb:27017/scim?replicaSet=rs0&directConnection=maybe' });
      expect(badMongo).toThrow(ConfigError);
      expect(badMongo).toThrow(/^MONGODB_URL is not a MongoDB connection string.*directConnection/);
      expect(badMongo).not.toThrow(/s3cret/);
      expect(() => loadConfig({ ...distributed, MONGODB_URL: 'postgres://db/scim' })).toThrow(/^MONGODB_URL/);
    });
  });

  it('refuses RUN_PROJECTIONS=false in embedded mode, where only this process can project', () => {
    expect(() => loadConfig({ RUN_PROJECTIONS: 'false' })).toThrow(/RUN_PROJECTIONS=false needs distributed mode/);
    expect(loadConfig({ RUN_PROJECTIONS: 'true' }).storage).toEqual({ kind: 'embedded' });
  });
});
