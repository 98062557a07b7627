import { DynamicModule, Inject, Injectable, Logger as NestLogger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AdminGuard, OPERATOR_KEY } from '../admin/admin.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HealthController } from './health.controller';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { RefusalSampler } from './refusal-sampler';
import { Subscribers } from './subscribers';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Refused authentications logged per reason per second; the rest are counted (a brute force cannot flood the logs). */
const REFUSAL_LINES_PER_SECOND = 10;

/**
 * METRICS_PORT: a second listener that serves GET /metrics without credential, for a scraper on
 * a network the clients cannot reach. Same registry as the authenticated route.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === undefined) return;
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://metrics').pathname;
      if (path !== '/metrics' || request.method !== 'GET') {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('GET /metrics only\n');
        return;
      }
      this.metrics.exposition().then(
        (body) => response.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' }).end(body),
        () => response.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort, this.config.host, () => resolve());
    });
    this.server = server;
    new NestLogger('Metrics').log(`GET /metrics without credential on ${this.config.host}:${this.port()}`);
  }

  /** The bound port (METRICS_PORT, or the one the system chose for 0). */
  port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Says when and why the service stops, and reports refusals still uncounted in the log. */
@Injectable()
class ShutdownLog implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new NestLogger('Main');

  constructor(private readonly refusals: RefusalSampler) {}

  beforeApplicationShutdown(signal?: string): void {
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
  static forRoot(operatorKey: string, logger: Logger): DynamicModule {
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
        { provide: OPERATOR_KEY, useValue: operatorKey },
      ],
      exports: [ROOT_LOGGER, Metrics, RefusalSampler, Subscribers],
    };
  }
}
