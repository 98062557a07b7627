import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to embedded mode on port 8080 with ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.storage).toEqual({ kind: 'embedded' });
  });

  it('switches to distributed mode only with both URLs', () => {
    expect(loadConfig({ EVENTSTORE_URL: 'esdb://x:2113', MONGODB_URL: 'mongodb://y', ROOT_KEY: 'ab'.repeat(32) }).storage.kind).toBe('distributed');
    // Every replica and the projector open the same keys: none may make up its own root key.
    expect(() => loadConfig({ EVENTSTORE_URL: 'esdb://x:2113', MONGODB_URL: 'mongodb://y' })).toThrow(/ROOT_KEY must be set in distributed mode/);
    expect(() => loadConfig({ ROOT_KEY: 'not-hex' })).toThrow(/ROOT_KEY must be 64 hexadecimal digits/);
    expect(() => loadConfig({ EVENTSTORE_URL: 'esdb://x:2113' })).toThrow(ConfigError);
  });

  it('rejects a bad port, a relative PUBLIC_URL and a short operator key with a clear message', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT must be an integer');
    expect(() => loadConfig({ PUBLIC_URL: 'example.com' })).toThrow('PUBLIC_URL');
    expect(() => loadConfig({ OPERATOR_KEY: 'short' })).toThrow('OPERATOR_KEY');
    expect(() => loadConfig({ NAME_HASHING_KEY: 'k'.repeat(42) })).toThrow('NAME_HASHING_KEY must be at least 43 characters');
    expect(loadConfig({ NAME_HASHING_KEY: 'k'.repeat(43) }).nameHashingKey).toBe('k'.repeat(43));
  });

  it('logs JSON at info by default; LOG_FORMAT, LOG_LEVEL and METRICS_PORT are checked', () => {
    expect(loadConfig({})).toMatchObject({ logging: { format: 'json', level: 'info' }, metricsPort: undefined });
    expect(loadConfig({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug', METRICS_PORT: '9464' })).toMatchObject({ logging: { format: 'pretty', level: 'debug' }, metricsPort: 9464 });
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT must be one of json, pretty, got "xml"');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
    expect(() => loadConfig({ METRICS_PORT: '0' })).toThrow('METRICS_PORT must be an integer from 1 to 65535');
  });

  it('refuses private webhook targets, waits 10 s, retries for 24 h and leases delivery for 30 s by default; refuses bad webhook settings by name', () => {
    expect(loadConfig({}).webhooks).toEqual({
      allowPrivateTargets: false,
      timeoutMs: 10_000,
      retryInitialDelayMs: 1000,
      retryMaxDelayMs: 60_000,
      retryWindowMs: 86_400_000,
      maxInFlight: 32,
      leaseTtlMs: 30_000,
      secretsKey: undefined,
    });
    expect(loadConfig({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' }).webhooks.allowPrivateTargets).toBe(true);
    expect(() => loadConfig({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow('WEBHOOKS_ALLOW_PRIVATE_TARGETS must be true or false');
    expect(() => loadConfig({ WEBHOOKS_TIMEOUT_MS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOKS_LEASE_TTL_MS: '10' })).toThrow(/WEBHOOKS_LEASE_TTL_MS/);
    expect(() => loadConfig({ WEBHOOK_SECRETS_KEY: 'short' })).toThrow(new ConfigError('WEBHOOK_SECRETS_KEY must be at least 32 characters'));
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://scim.example.com/' }).publicUrl).toBe('https://scim.example.com');
  });

  describe('the request edge', () => {
    it('defaults to IdP-sized limits, 30 s request and 10 s header timeouts, and admission control on', () => {
      expect(loadConfig({}).edge).toEqual({
        bodyLimits: { user: 1024 * 1024, group: 4 * 1024 * 1024, small: 64 * 1024, bulk: 1024 * 1024 },
        maxJsonDepth: 64,
        timeouts: { requestMs: 30_000, headersMs: 10_000, keepAliveMs: 5_000 },
        rateLimits: {
          scimToken: { points: 100, windowSeconds: 1 },
          scimAccount: { points: 200, windowSeconds: 1 },
          credential: { points: 50, windowSeconds: 1 },
          failedAuthentication: { points: 20, windowSeconds: 60 },
          refusalDelayMs: 250,
        },
        allowedHosts: undefined,
      });
    });

    it('reads rate limits as requests per window, and RATE_LIMITS=off turns them off', () => {
      const limits = loadConfig({ RATE_LIMIT_SCIM_TOKEN: '1000/10s', RATE_LIMIT_FAILED_AUTH: '5/h' }).edge.rateLimits;
      expect(limits?.scimToken).toEqual({ points: 1000, windowSeconds: 10 });
      expect(limits?.failedAuthentication).toEqual({ points: 5, windowSeconds: 3600 });
      expect(loadConfig({ RATE_LIMITS: 'off' }).edge.rateLimits).toBeUndefined();
      expect(() => loadConfig({ RATE_LIMITS: 'no' })).toThrow('RATE_LIMITS must be on or off, got "no"');
      expect(() => loadConfig({ RATE_LIMIT_SCIM_ACCOUNT: '100' })).toThrow(/^RATE_LIMIT_SCIM_ACCOUNT must look like 100\/s/);
      expect(() => loadConfig({ RATE_LIMIT_CREDENTIAL: '0/s' })).toThrow(/^RATE_LIMIT_CREDENTIAL/);
    });

    it('lists allowed hosts in lower case and refuses what is not a host', () => {
      expect(loadConfig({ ALLOWED_HOSTS: 'SCIM.example.com, [::1]:8080' }).edge.allowedHosts).toEqual(['scim.example.com', '[::1]:8080']);
      expect(() => loadConfig({ ALLOWED_HOSTS: 'https://scim.example.com' })).toThrow('ALLOWED_HOSTS holds "https://scim.example.com"');
    });

    it("passes TRUST_PROXY to Express as a hop count or Express's own names", () => {
      expect(loadConfig({ TRUST_PROXY: '1' }).edge.trustProxy).toBe(1);
      expect(loadConfig({ TRUST_PROXY: 'uniquelocal' }).edge.trustProxy).toBe('uniquelocal');
      expect(loadConfig({}).edge).not.toHaveProperty('trustProxy');
    });

    it('refuses a header timeout longer than the request timeout', () => {
      expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).toThrow('HEADERS_TIMEOUT_MS (6000) must not exceed REQUEST_TIMEOUT_MS (5000)');
    });
  });

  describe('distributed mode', () => {
    const distributed = { EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', MONGODB_URL: 'mongodb://mongodb:27017/scim_eu?replicaSet=rs0', ROOT_KEY: 'ab'.repeat(32) };

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
