import { distributedProjections } from '@scim/read-models/projections';
import { loadProjectorConfig, ProjectorConfigError } from './projector-config';

const ALL = distributedProjections.map((projection) => projection.name);

describe('loadProjectorConfig', () => {
  const key = 'k'.repeat(43);
  const urls = { EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', MONGODB_URL: 'mongodb://mongodb:27017/scim?replicaSet=rs0', NAME_HASHING_KEY: key, ROOT_KEY: 'ab'.repeat(32) };

  it('runs every projection on port 8081 by default, logging the lag every 30 s', () => {
    expect(loadProjectorConfig(urls)).toEqual({
      eventStoreUrl: 'esdb://eventstore:2113?tls=false',
      mongoUrl: 'mongodb://mongodb:27017/scim?replicaSet=rs0',
      mongoDatabase: 'scim',
      port: 8081,
      projections: ALL,
      lagLogIntervalMs: 30_000,
      runProcessManagers: true,
      nameHashingKey: key,
      rootKey: Buffer.from('ab'.repeat(32), 'hex'),
    });
  });

  it("needs the API's NAME_HASHING_KEY: the process managers write through the same write models", () => {
    expect(() => loadProjectorConfig({ ...urls, NAME_HASHING_KEY: undefined })).toThrow('NAME_HASHING_KEY must be set');
    expect(() => loadProjectorConfig({ ...urls, NAME_HASHING_KEY: 'short' })).toThrow('NAME_HASHING_KEY must be set');
  });

  it('needs the API’s ROOT_KEY, to read personal fields', () => {
    const { ROOT_KEY: _rootKey, ...withoutKey } = urls;
    expect(() => loadProjectorConfig(withoutKey)).toThrow(/ROOT_KEY must be set/);
    expect(() => loadProjectorConfig({ ...urls, ROOT_KEY: 'zz'.repeat(32) })).toThrow(/ROOT_KEY must be set/);
  });

  it('runs the process managers unless RUN_PROCESS_MANAGERS=false (all projectors but one, when several share the projections)', () => {
    expect(loadProjectorConfig({ ...urls, RUN_PROCESS_MANAGERS: 'false' }).runProcessManagers).toBe(false);
    expect(() => loadProjectorConfig({ ...urls, RUN_PROCESS_MANAGERS: 'maybe' })).toThrow('RUN_PROCESS_MANAGERS must be true or false');
  });

  it('needs both URLs: it has no embedded mode', () => {
    expect(() => loadProjectorConfig({})).toThrow(ProjectorConfigError);
    expect(() => loadProjectorConfig({ EVENTSTORE_URL: urls.EVENTSTORE_URL, NAME_HASHING_KEY: key })).toThrow('set both EVENTSTORE_URL and MONGODB_URL');
  });

  it('rejects URLs the clients would not accept, with the variable named', () => {
    expect(() => loadProjectorConfig({ ...urls, EVENTSTORE_URL: 'tcp://eventstore:1113' })).toThrow(/^EVENTSTORE_URL is not/);
    expect(() => loadProjectorConfig({ ...urls, MONGODB_URL: 'mongodb://u:s3cret@mongodb/scim?tls=banana' })).toThrow(/^MONGODB_URL is not[^]*tls/);
    expect(() => loadProjectorConfig({ ...urls, MONGODB_URL: 'mongodb://u:s3cret@mongodb/scim?tls=banana' })).not.toThrow(/s3cret/);
  });

  it('takes the database from MONGODB_URL like the API does', () => {
    expect(loadProjectorConfig({ ...urls, MONGODB_URL: 'mongodb://a:27017,b:27017/scim_eu?replicaSet=rs0' }).mongoDatabase).toBe('scim_eu');
  });

  it('runs a share of the projections when PROJECTIONS lists them', () => {
    expect(loadProjectorConfig({ ...urls, PROJECTIONS: ' users , groups,users' }).projections).toEqual(['users', 'groups']);
    expect(() => loadProjectorConfig({ ...urls, PROJECTIONS: 'users,audit' })).toThrow(`PROJECTIONS must list projections among ${ALL.join(', ')}`);
    expect(() => loadProjectorConfig({ ...urls, PROJECTIONS: ',' })).toThrow(ProjectorConfigError);
  });

  it('validates PROJECTOR_PORT and PROJECTOR_LAG_LOG_INTERVAL_MS', () => {
    expect(loadProjectorConfig({ ...urls, PROJECTOR_PORT: '9100', PROJECTOR_LAG_LOG_INTERVAL_MS: '0' })).toMatchObject({ port: 9100, lagLogIntervalMs: 0 });
    expect(() => loadProjectorConfig({ ...urls, PROJECTOR_PORT: 'http' })).toThrow('PROJECTOR_PORT must be an integer from 0 to 65535, got "http"');
    expect(() => loadProjectorConfig({ ...urls, PROJECTOR_LAG_LOG_INTERVAL_MS: '-1' })).toThrow('PROJECTOR_LAG_LOG_INTERVAL_MS');
  });
});
