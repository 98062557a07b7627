import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventStore, SqliteEventStore } from '@scim/event-store';
import { SqliteSubjectKeyStore, SubjectKeyStore } from '@scim/event-store/personal-data';
import { DeletedUsersLeaveGroupsProcess, RolesViaGroupsProcess } from '@scim/provisioning';
import { EmbeddedReadStore, ReadStore } from '@scim/read-models';
import { loadConfig } from '../config/app-config';
import { silentLogger } from '../observability/logger';
import { ObservabilityModule } from '../observability/observability.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { ProcessManagersModule } from './process-managers.module';

/**
 * Where the process managers run (issue 13): in distributed mode, in apps/projector only (see
 * apps/projector/src/projector.spec.ts), so that N API replicas do not react N times. The
 * EventStoreDB and MongoDB adapters are swapped for the embedded ones (no server here).
 */
describe('ProcessManagersModule', () => {
  const DISTRIBUTED = {
    OPERATOR_KEY: 'spec-operator-key-0123456789abcdef',
    EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
    MONGODB_URL: 'mongodb://mongodb:27017/scim?replicaSet=rs0',
    READ_YOUR_WRITES_TIMEOUT_MS: '150',
    NAME_HASHING_KEY: 'spec-name-hashing-key-0123456789abcdef-0123456789',
    ROOT_KEY: 'ab'.repeat(32),
  };
  let app: INestApplication | undefined;

  const start = async (env: Record<string, string>) => {
    const config = loadConfig(env);
    const moduleRef = await Test.createTestingModule({
      imports: [ObservabilityModule.forRoot(silentLogger()), PersistenceModule.forRoot(config), ProcessManagersModule.forRoot(config)],
    })
      .overrideProvider(EventStore)
      .useValue(SqliteEventStore.open({ file: ':memory:' }))
      .overrideProvider(ReadStore)
      .useValue(EmbeddedReadStore.open({ file: ':memory:' }))
      .overrideProvider(SubjectKeyStore)
      .useValue(SqliteSubjectKeyStore.open({ file: ':memory:', rootKey: randomBytes(32) }))
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  };

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('starts none in an API replica of a distributed deployment', async () => {
    const api = await start(DISTRIBUTED);

    expect(() => api.get(RolesViaGroupsProcess, { strict: false })).toThrow();
    expect(() => api.get(DeletedUsersLeaveGroupsProcess, { strict: false })).toThrow();
  });

  it('runs them in the API that runs the projections (RUN_PROJECTIONS=true, as embedded mode does)', async () => {
    const api = await start({ ...DISTRIBUTED, RUN_PROJECTIONS: 'true' });

    expect(api.get(RolesViaGroupsProcess, { strict: false }).report().state).toBe('running');
    expect(api.get(DeletedUsersLeaveGroupsProcess, { strict: false }).report().state).toBe('running');
  });
});
