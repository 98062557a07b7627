import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EventStore } from '@scim/event-store';
import { ReadStore } from '@scim/read-models';
import { allProjections } from '@scim/read-models/projections';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Readiness for load balancers and orchestrators: 200 while both stores answer, 503 otherwise.
 * No token: it tells nothing about any account. Store errors are logged, not returned.
 */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async health(@Res() response: Response): Promise<void> {
    const storage = this.config.storage.kind;
    const [eventStore, readStore] = await Promise.all([
      this.probe('event store', () => this.eventStore.headPosition()),
      this.probe('read store', () => this.readStore.checkpoint(allProjections[0].name)),
    ]);
    const ok = eventStore && readStore;
    response
      .status(ok ? 200 : 503)
      .setHeader('Cache-Control', 'no-store')
      .json({ status: ok ? 'ok' : 'unavailable', storage, eventStore: eventStore ? 'up' : 'down', readStore: readStore ? 'up' : 'down' });
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
      this.logger.warn(`Health: the ${name} did not answer: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
