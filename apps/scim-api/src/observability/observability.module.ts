import { DynamicModule, Inject, Injectable, Logger as NestLogger, Module, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Logger } from 'pino';
import { AdminGuard } from '../admin/admin.guard';
import { HealthController } from './health.controller';
import { writeLogLinesAtOnce } from './logger';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { RefusalSampler } from './refusal-sampler';
import { Subscribers } from './subscribers';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Refused authentications logged per reason per second; the rest are counted (a brute force cannot flood the logs). */
const REFUSAL_LINES_PER_SECOND = 10;

/** Says when and why the service stops, and reports refusals still uncounted in the log. */
@Injectable()
class ShutdownLog implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new NestLogger('Main');

  constructor(
    private readonly refusals: RefusalSampler,
    @Inject(ROOT_LOGGER) private readonly root: Logger,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    writeLogLinesAtOnce(this.root);
    this.logger.log(`Stopping${signal ? ` on ${signal}` : ''}: finishing the work in flight`);
  }

  onApplicationShutdown(): void {
    this.refusals.flush();
    this.logger.log('Stopped');
  }
}

/**
 * Logs, metrics, liveness and readiness (docs/OPERATIONS.md). Global: the persistence layer meters
 * its stores and hands over its projection runner. Needs the global PersistenceModule's stores and APP_CONFIG.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics() },
        {
          provide: RefusalSampler,
          useFactory: () =>
            new RefusalSampler(REFUSAL_LINES_PER_SECOND, (reason, count) =>
              logger.warn({ authRefusal: reason, suppressed: count }, `${count} more refused authentications (${reason}) not logged one by one`),
            ),
        },
        Subscribers,
        MetricsListener,
        ShutdownLog,
        AdminGuard,
      ],
      exports: [ROOT_LOGGER, Metrics, RefusalSampler, Subscribers],
    };
  }
}
