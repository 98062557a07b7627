import { Injectable } from '@nestjs/common';
import { accountStream, userStream } from '@scim/domain';
import { EventStore, type RecordedEvent } from '@scim/event-store';
import { badRequest, ScimError } from '@scim/scim-protocol';
import type { AuditFilterQueryDto } from './audit-query.dto';
import type { HistoryFilter } from './audit-history';

const READ_BATCH_SIZE = 500;

/**
 * The histories auditors read, straight from the event log (the source of truth, never a read
 * model). Events belong to an account through `metadata.accountId`, which every event the API
 * writes carries.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly store: EventStore) {}

  /** Every event of the account, in commit order, after `cursor`. */
  async accountHistory(accountId: string, cursor: number): Promise<AsyncIterable<readonly RecordedEvent[]>> {
    await this.assertAccountExists(accountId);
    return this.store.readAllMatching({ metadata: { accountId }, fromPosition: cursor, batchSize: READ_BATCH_SIZE });
  }

  /**
   * The user's own stream (lifecycle, attributes, roles) in commit order, after `cursor`. A user of
   * another account is not found here, whatever its id.
   */
  async userHistory(accountId: string, userId: string, cursor: number): Promise<AsyncIterable<readonly RecordedEvent[]>> {
    await this.assertAccountExists(accountId);
    const events = (await this.store.readStream(userStream(userId))).filter((event) => event.metadata.accountId === accountId);
    if (events.length === 0) throw new ScimError(404, `User ${userId} not found in account ${accountId}`);
    return single(events.filter((event) => event.position > cursor));
  }

  private async assertAccountExists(accountId: string): Promise<void> {
    if ((await this.store.streamRevision(accountStream(accountId))) < 0) {
      throw new ScimError(404, `Account ${accountId} not found`);
    }
  }
}

/** The query's filters, validated beyond their syntax (real dates, a window that is not reversed). */
export function historyFilterOf(query: AuditFilterQueryDto): HistoryFilter {
  const instant = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const time = Date.parse(value);
    if (Number.isNaN(time)) throw badRequest('invalidValue', `${name} is not a valid instant: ${value}`);
    return time;
  };
  const from = instant('from', query.from);
  const to = instant('to', query.to);
  if (from !== undefined && to !== undefined && from > to) throw badRequest('invalidValue', 'from must not be after to');
  return {
    ...(query.type ? { types: new Set(query.type) } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

async function* single(events: readonly RecordedEvent[]): AsyncIterable<readonly RecordedEvent[]> {
  if (events.length > 0) yield events;
}
