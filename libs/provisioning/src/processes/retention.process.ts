import { randomUUID } from 'node:crypto';
import { StreamPrefix } from '@scim/domain';
import type { EventStore, RecordedEvent } from '@scim/event-store';
import type { Doc, ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import type { ProvisioningLogger } from '../command-context';
import type { UserWriteModel } from '../users/user-write-model';
import { ProcessManager } from './process-subscription';

/** The process's own documents: deprovisioned users not erased yet, and since when. */
export const RETENTION_CANDIDATES = 'retention_candidates';

export interface RetentionCandidate extends Doc {
  readonly accountId: string;
  readonly deprovisionedAt: string;
}

const SWEEP_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Process manager (GDPR Art. 5(1)(e)): erases the deprovisioned users of accounts with a retention
 * period once it has passed. It remembers who was deprovisioned when (UserDeprovisioned adds a
 * candidate, UserErased removes it) in its own collection, checkpointed with it, so a restart goes
 * on where it stopped; an hourly sweep erases the candidates that are due. Erasing is idempotent,
 * so replicas sweeping at once agree.
 */
export class RetentionProcess extends ProcessManager {
  static readonly checkpointName = 'process:retention';
  private timer?: NodeJS.Timeout;

  constructor(
    eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly users: UserWriteModel,
    private readonly logger: ProvisioningLogger,
  ) {
    super(eventStore, readStore, { name: RetentionProcess.checkpointName, logger, streamPrefixes: [StreamPrefix.user], eventTypes: ['UserDeprovisioned', 'UserErased'] });
  }

  override async start(): Promise<void> {
    await super.start();
    const run = () => void this.sweep().catch((error: unknown) => this.logger.error('Retention sweep failed', error));
    this.timer = setInterval(run, SWEEP_EVERY_MS);
    this.timer.unref();
    run();
  }

  override stop(): Promise<void> {
    clearInterval(this.timer);
    return super.stop();
  }

  protected async react(event: RecordedEvent): Promise<void> {
    const userId = String(event.data.userId);
    const candidate: RetentionCandidate | null =
      event.type === 'UserDeprovisioned'
        ? { _id: userId, accountId: String(event.metadata.accountId), deprovisionedAt: String(event.data.deprovisionedAt) }
        : null;
    // The document and the checkpoint move together: a restart never loses or repeats a change.
    await this.readStore.commit([{ collection: RETENTION_CANDIDATES, id: userId, doc: candidate }], { projection: RetentionProcess.checkpointName, position: event.position });
  }

  /** Erases every candidate whose account's period has passed at `now`; resolves with how many. */
  async sweep(now = new Date()): Promise<number> {
    const accounts = await this.readStore.find<AccountView>(Collections.accounts, { eraseDeprovisionedAfterDays: { $gte: 1 } }, { fields: ['eraseDeprovisionedAfterDays'] });
    let erased = 0;
    for (const account of accounts) {
      const days = account.eraseDeprovisionedAfterDays as number;
      const cutoff = new Date(now.getTime() - days * DAY_MS).toISOString();
      const due = await this.readStore.find<RetentionCandidate>(RETENTION_CANDIDATES, { accountId: account._id, deprovisionedAt: { $lte: cutoff } });
      for (const candidate of due) {
        const context = { accountId: account._id, actor: { kind: 'system', process: 'retention' } as const, requestId: `retention:${randomUUID()}`, at: now.toISOString() };
        await this.users.erase(context, candidate._id, `retention: deprovisioned more than ${days} days ago`);
        erased++;
      }
    }
    return erased;
  }
}
