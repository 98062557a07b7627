import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Projector } from './projector';

const STATES = ['running', 'stopped', 'failing'] as const;

/**
 * The projector's Prometheus metrics, read from the projector at each scrape. Same names as the
 * API's (docs/OPERATIONS.md), so one dashboard shows projections wherever they run.
 */
export function projectorMetrics(projector: Projector): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'scim_projection_state',
    help: 'Projection state: 1 for its current state (running, stopped, failing), 0 for the others',
    labelNames: ['projection', 'state'] as const,
    registers: [registry],
    collect() {
      for (const { projection, state } of projector.health().projections) {
        const current = state === 'failed' ? 'failing' : state;
        for (const candidate of STATES) this.set({ projection, state: candidate }, candidate === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'scim_projection_lag_positions',
    help: 'Log positions between the head of the event log and what the projection has read (0 when it includes every event of its streams)',
    labelNames: ['projection'] as const,
    registers: [registry],
    async collect() {
      const { head, projections } = await projector.lag();
      for (const [projection, { checkpoint, caughtUp }] of Object.entries(projections)) this.set({ projection }, caughtUp ? 0 : head - checkpoint);
    },
  });
  return registry;
}
