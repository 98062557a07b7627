import { DynamicModule, Injectable, Logger, Module, OnApplicationShutdown, Optional, type Provider } from '@nestjs/common';
import { join } from 'node:path';
import { DataFolderLock, EventStore, SqliteEventStore, SqliteRangeDigester } from '@scim/event-store';
import { personalDataPolicy } from '@scim/domain';
import { ChainSealer, HashChainedEventStore } from '@scim/event-store/hash-chain';
import { AccountIndexedEventStore, CachingReadStore, CheckpointWaiter, openEmbeddedReadModels, type Projection, ProjectionRunner, ReadStore, type RunnerLogger } from '@scim/read-models';
import { allProjections, Collections, distributedProjections, prepareReadModelStore } from '@scim/read-models/projections';
import { GroupWriteModel, NameHashing, ProvisioningLog, ReadModelFreshness, UserWriteModel } from '@scim/provisioning';
import { EncryptingEventStore, loadRootKey, ROOT_KEY_FILE, SqliteSubjectKeyStore, SubjectKeyStore } from '@scim/event-store/personal-data';
import { APP_CONFIG, type AppConfig, type DistributedStorage } from '../config/app-config';
import { MeteredEventStore } from '../observability/metered-event-store';
import { Metrics } from '../observability/metrics';
import { Subscribers } from '../observability/subscribers';
import { openNameHashing } from './name-hashing';
import { meteredFreshness } from './read-model-freshness';

@Injectable()
class PersistenceLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly sealer: ChainSealer,
    // Absent on an API replica whose projections run in apps/projector.
    @Optional() private readonly runner?: ProjectionRunner,
    // Embedded mode only.
    @Optional() private readonly dataFolderLock?: DataFolderLock,
    @Optional() private readonly subjectKeys?: SubjectKeyStore,
  ) {}

  /** Stop projecting before closing the stores, so no batch is cut in half. */
  async onApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
    // Seals what is left, so a cleanly stopped service leaves no event unsealed.
    await this.sealer.stop();
    await this.eventStore.close();
    await this.subjectKeys?.close();
    await this.readStore.close();
    this.dataFolderLock?.release();
  }
}

/**
 * Binds the event-store and read-store ports to their adapters. Embedded mode keeps both in
 * DATA_DIR and projects in-process. Distributed mode uses EventStoreDB and MongoDB, leaves the
 * projections to apps/projector (unless RUN_PROJECTIONS=true) and answers a write once the
 * projector's checkpoints include it.
 */
@Module({})
export class PersistenceModule {
  /** `dataFolder`: embedded mode's lock on DATA_DIR, taken by the caller before anything is opened. */
  static forRoot(config: AppConfig, dataFolder?: DataFolderLock): DynamicModule {
    const storageProviders = config.storage.kind === 'embedded' ? embeddedProviders(config, dataFolder) : distributedProviders(config, config.storage);
    return {
      module: PersistenceModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }, ...storageProviders, ...tamperEvidence(config), nameHashing(config), ...writeSide(), PersistenceLifecycle],
      exports: [APP_CONFIG, EventStore, ReadStore, ReadModelFreshness, ProvisioningLog, UserWriteModel, GroupWriteModel, NameHashing, SubjectKeyStore],
    };
  }
}

function embeddedProviders(config: AppConfig, dataFolder: DataFolderLock | undefined): Provider[] {
  if (!dataFolder) throw new Error('Embedded mode needs the lock on DATA_DIR before its stores are opened');
  return [
    { provide: DataFolderLock, useValue: dataFolder },
    {
      provide: SubjectKeyStore,
      useFactory: () =>
        SqliteSubjectKeyStore.open({
          file: join(config.dataDir, 'keys.db'),
          rootKey: loadRootKey({ file: join(config.dataDir, ROOT_KEY_FILE), fromEnvironment: config.rootKey }),
        }),
    },
    {
      provide: EventStore,
      inject: [Metrics, SubjectKeyStore],
      useFactory: (metrics: Metrics, keys: SubjectKeyStore) =>
        new MeteredEventStore(sealingPersonalData(new HashChainedEventStore(SqliteEventStore.open({ file: eventLogFile(config) })), keys), metrics),
    },
    {
      provide: ReadStore,
      inject: [EventStore],
      // Rebuilt from the log first when a projection's version changed (before any subscription starts).
      // Accounts are cached: only this process's projections commit to this store.
      useFactory: async (eventStore: EventStore) =>
        new CachingReadStore(
          await openEmbeddedReadModels({
            file: join(config.dataDir, 'read-models.db'),
            eventStore,
            projections: allProjections,
            prepare: prepareReadModelStore,
            logger: runnerLogger(new Logger('ReadModels')),
          }),
          [Collections.accounts],
        ),
    },
    ...inProcessProjections(config, allProjections),
  ];
}

// The adapters are imported when their factories run: an embedded process never loads the drivers.
function distributedProviders(config: AppConfig, storage: DistributedStorage): Provider[] {
  return [
    {
      provide: SubjectKeyStore,
      useFactory: async () => {
        const { MongoSubjectKeyStore } = await import('@scim/read-models/mongo');
        return MongoSubjectKeyStore.connect(storage.mongoUrl, Buffer.from(config.rootKey ?? '', 'hex'), storage.mongoDatabase);
      },
    },
    {
      provide: EventStore,
      inject: [Metrics, ReadStore, SubjectKeyStore],
      useFactory: async (metrics: Metrics, readStore: ReadStore, keys: SubjectKeyStore) => {
        const { EsdbEventStore } = await import('@scim/event-store/esdb');
        const store = EsdbEventStore.connect({ connectionString: storage.eventStoreUrl });
        // The client dials lazily: ask once, so an unreachable server stops the start-up, not the first request.
        try {
          await store.headPosition();
        } catch (error) {
          await store.close().catch(() => undefined);
          throw new Error(`EventStoreDB at EVENTSTORE_URL did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        // EventStoreDB has no index on metadata: an account's history pages through the projector's account-log index.
        return new MeteredEventStore(new AccountIndexedEventStore(sealingPersonalData(new HashChainedEventStore(store), keys), readStore), metrics);
      },
    },
    {
      provide: ReadStore,
      useFactory: async () => {
        const { MongoReadStore } = await import('@scim/read-models/mongo');
        let store: ReadStore;
        try {
          store = await MongoReadStore.connect(storage.mongoUrl, storage.mongoDatabase);
        } catch (error) {
          throw new Error(`MongoDB at MONGODB_URL did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        // Every replica asks; creating an index that exists with the same keys is a no-op in MongoDB.
        await prepareReadModelStore(store);
        return store;
      },
    },
    ...(storage.runProjections ? inProcessProjections(config, distributedProjections) : projectorCheckpoints(config)),
  ];
}

/**
 * Personal fields are sealed above the hash chain, so the chain covers the sealed bytes and an
 * erasure (a destroyed key) leaves the log verifiable (docs/PRIVACY.md, docs/TAMPER-EVIDENCE.md).
 */
function sealingPersonalData(chained: EventStore, keys: SubjectKeyStore): EventStore {
  return new EncryptingEventStore(chained, keys, personalDataPolicy);
}

/** Projections run in this process; a write waits for them in memory. */
function inProcessProjections(config: AppConfig, projections: readonly Projection[]): Provider[] {
  return [
    {
      provide: ProjectionRunner,
      inject: [EventStore, ReadStore, Subscribers],
      useFactory: async (eventStore: EventStore, readStore: ReadStore, subscribers: Subscribers) => {
        const runner = new ProjectionRunner(eventStore, readStore, [...projections], { logger: runnerLogger(new Logger('Projections')) });
        subscribers.watchProjections(runner);
        await runner.start();
        return runner;
      },
    },
    {
      provide: ReadModelFreshness,
      inject: [ProjectionRunner, Metrics],
      useFactory: (runner: ProjectionRunner, metrics: Metrics): ReadModelFreshness =>
        meteredFreshness(metrics, (position) => runner.waitFor(position, config.readYourWritesTimeoutMs)),
    },
  ];
}

const runnerLogger = (logger: Logger): RunnerLogger => ({
  log: (message) => logger.log(message),
  error: (message, error) => logger.error(message, error instanceof Error ? error.stack : error),
});

/**
 * Projections run in apps/projector; a write waits until the checkpoints it commits to MongoDB
 * include the write's position (projections with no event up to it are asked of the event store).
 */
function projectorCheckpoints(config: AppConfig): Provider[] {
  return [
    {
      provide: ReadModelFreshness,
      inject: [EventStore, ReadStore, Metrics],
      useFactory: (eventStore: EventStore, readStore: ReadStore, metrics: Metrics): ReadModelFreshness => {
        new Logger('Projections').log(
          `Projections run in apps/projector; writes wait up to ${config.readYourWritesTimeoutMs} ms for its checkpoints`,
        );
        const waiter = new CheckpointWaiter(eventStore, readStore, allProjections);
        return meteredFreshness(metrics, (position) => waiter.waitFor(position, config.readYourWritesTimeoutMs));
      },
    },
  ];
}

/** userName reservation streams' names (docs/PRIVACY.md); upgrades a log written before them first. */
function nameHashing(config: AppConfig): Provider {
  return { provide: NameHashing, inject: [EventStore], useFactory: (store: EventStore) => openNameHashing(config, store) };
}

/** The write models (libs/provisioning), one of each per process: writes to one resource take turns in it. */
function writeSide(): Provider[] {
  return [
    { provide: ProvisioningLog, inject: [EventStore], useFactory: (store: EventStore) => new ProvisioningLog(store) },
    {
      provide: UserWriteModel,
      inject: [EventStore, ReadModelFreshness, ProvisioningLog, NameHashing, SubjectKeyStore],
      useFactory: (store: EventStore, freshness: ReadModelFreshness, log: ProvisioningLog, names: NameHashing, keys: SubjectKeyStore) =>
        new UserWriteModel(store, freshness, log, names, keys),
    },
    {
      provide: GroupWriteModel,
      inject: [EventStore, ReadStore, ReadModelFreshness],
      useFactory: (store: EventStore, readStore: ReadStore, freshness: ReadModelFreshness) => new GroupWriteModel(store, readStore, freshness),
    },
  ];
}

const eventLogFile = (config: AppConfig): string => join(config.dataDir, 'events.db');

/**
 * Every append goes through the hash chain (docs/TAMPER-EVIDENCE.md); the sealer vouches for the
 * whole log every minute and at shutdown. In embedded mode it reads and digests the log on a
 * thread of its own, off the event loop that answers requests.
 */
function tamperEvidence(config: AppConfig): Provider[] {
  return [
    {
      provide: ChainSealer,
      inject: [EventStore],
      useFactory: (store: EventStore) => {
        const logger = new Logger('TamperEvidence');
        const sealer = new ChainSealer(store, {
          onError: (error) => logger.error('Sealing the event log failed; retrying at the next tick', error instanceof Error ? error.stack : error),
          ...(config.storage.kind === 'embedded' ? { rangeDigester: new SqliteRangeDigester(eventLogFile(config)) } : {}),
        });
        sealer.start();
        return sealer;
      },
    },
  ];
}

