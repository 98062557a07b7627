import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EventStore } from '@scim/event-store';
import { ReadStore } from '@scim/read-models';
import { allProjections } from '@scim/read-models/projections';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { SubscriberReport } from './metrics';
import { Subscribers } from './subscribers';

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Liveness and readiness for load balancers and orchestrators. No token: they tell nothing about
 * any account. Errors are logged, not returned (a projection's error may quote an account's data).
 */
@Controller()
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly subscribers: Subscribers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. A store outage is not cured by a restart, so it is /ready's business. */
  @Get('health')
  health(@Res() response: Response): void {
    response.status(200).setHeader('Cache-Control', 'no-store').json({ status: 'ok', storage: this.config.storage.kind });
  }

  /**
   * Readiness: 200 while both stores answer and every projection and process manager runs; 503
   * naming the causes otherwise (a stopped projection means writes wait out read-your-writes and
   * reads go stale; a failing process manager means role grants stall).
   */
  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const [eventStore, readStore] = await Promise.all([
      this.probe('event store', () => this.eventStore.headPosition()),
      this.probe('read store', () => this.readStore.checkpoint(allProjections[0].name)),
    ]);
    const projections = this.subscribers.projections();
    const processManagers = this.subscribers.processManagers();
    const causes = [
      ...(eventStore ? [] : ['the event store does not answer']),
      ...(readStore ? [] : ['the read store does not answer']),
      ...notRunning('projection', projections),
      ...notRunning('process manager', processManagers),
    ];
    const ok = causes.length === 0;
    response
      .status(ok ? 200 : 503)
      .setHeader('Cache-Control', 'no-store')
      .json({
        status: ok ? 'ready' : 'unavailable',
        storage: this.config.storage.kind,
        eventStore: eventStore ? 'up' : 'down',
        readStore: readStore ? 'up' : 'down',
        projections: projections.map(({ name, state }) => ({ name, state })),
        processManagers: processManagers.map(({ name, state }) => ({ name, state })),
        ...(ok ? {} : { causes }),
      });
  }

  private async probe(name: string, call: () => Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        call(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
      ]);
      return true;
    } catch (error) {
      this.logger.warn(`Readiness: the ${name} did not answer: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

function notRunning(kind: string, reports: readonly SubscriberReport[]): string[] {
  return reports.filter(({ state }) => state !== 'running').map(({ name, state }) => `${kind} ${name} is ${state}`);
}
