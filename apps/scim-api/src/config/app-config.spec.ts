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

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://scim.example.com/' }).publicUrl).toBe('https://scim.example.com');
  });
});
