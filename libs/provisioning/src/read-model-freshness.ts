import type { EventStore } from '@scim/event-store';
import { CheckpointWaiter, type ProjectionScope, type ReadStore } from '@scim/read-models';
import type { ProvisioningLogger } from './command-context';

/**
 * Read-your-writes (shared/DESIGN.md §4): a write's response returns only once the read models
 * include the write's global position, so the IdP's next GET or filter finds what it just wrote.
 */
export abstract class ReadModelFreshness {
  constructor(private readonly logger?: Pick<ProvisioningLogger, 'warn'>) {}

  /** Resolves when every projection has reached `position`; false when the bounded wait ran out. */
  abstract waitFor(position: number): Promise<boolean>;

  /** Waits (bounded) until the read models include `position`; a write answers even if they lag. */
  async settle(position: number): Promise<void> {
    if (position <= 0) return;
    if (!(await this.waitFor(position))) {
      this.logger?.warn(`Read models did not reach position ${position} in time; the response is sent anyway`);
    }
  }
}

/**
 * Freshness judged by the projections' checkpoints in the read store, wherever they run (one
 * projector or several sharing them): what apps/projector's process managers wait on.
 */
export class CheckpointFreshness extends ReadModelFreshness {
  private readonly waiter: CheckpointWaiter;

  constructor(
    eventStore: EventStore,
    readStore: ReadStore,
    projections: readonly ProjectionScope[],
    private readonly timeoutMs: number,
    logger?: Pick<ProvisioningLogger, 'warn'>,
  ) {
    super(logger);
    this.waiter = new CheckpointWaiter(eventStore, readStore, projections);
  }

  waitFor(position: number): Promise<boolean> {
    return this.waiter.waitFor(position, this.timeoutMs);
  }
}
