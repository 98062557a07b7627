import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { EventStore, SqliteEventStore } from '@scim/event-store';
import { EmbeddedReadStore, ProjectionRunner, ReadStore } from '@scim/read-models';
import { allProjections, readModelIndexes } from '@scim/read-models/projections';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EventWriter } from './event-writer';
import { ReadModelFreshness } from './read-model-freshness';

@Injectable()
class PersistenceLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
  ) {}

  /** Stop projecting before closing the stores, so no batch is cut in half. */
  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    await this.eventStore.close();
    await this.readStore.close();
  }
}

/**
 * Binds the event-store and read-store ports to their adapters. Embedded mode keeps both in
 * DATA_DIR and projects in-process; the distributed adapters plug in behind the same ports.
 */
@Module({})
export class PersistenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: EventStore,
          useFactory: () => SqliteEventStore.open({ file: join(config.dataDir, 'events.db') }),
        },
        {
          provide: ReadStore,
          useFactory: async () => {
            const store = EmbeddedReadStore.open({ file: join(config.dataDir, 'read-models.db') });
            for (const [collection, indexes] of Object.entries(readModelIndexes)) await store.ensureIndexes(collection, indexes);
            return store;
          },
        },
        {
          provide: ProjectionRunner,
          inject: [EventStore, ReadStore],
          useFactory: async (eventStore: EventStore, readStore: ReadStore) => {
            const logger = new Logger('Projections');
            const runner = new ProjectionRunner(eventStore, readStore, [...allProjections], {
              logger: { log: (message) => logger.log(message), error: (message, error) => logger.error(message, error instanceof Error ? error.stack : error) },
            });
            await runner.start();
            return runner;
          },
        },
        {
          provide: ReadModelFreshness,
          inject: [ProjectionRunner],
          useFactory: (runner: ProjectionRunner): ReadModelFreshness => ({
            waitFor: (position) => runner.waitFor(position, config.readYourWritesTimeoutMs),
          }),
        },
        EventWriter,
        PersistenceLifecycle,
      ],
      exports: [APP_CONFIG, EventStore, ReadStore, ReadModelFreshness, EventWriter],
    };
  }
}
