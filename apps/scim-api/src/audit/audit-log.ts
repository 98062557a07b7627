import { Injectable } from '@nestjs/common';
import { accountStream, groupMembersStream, groupStream, userStream } from '@scim/domain';
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
    return this.streamsHistory(accountId, [userStream(userId)], cursor, `User ${userId}`);
  }

  /** The group's lifecycle and membership streams, merged in commit order, after `cursor`. */
  async groupHistory(accountId: string, groupId: string, cursor: number): Promise<AsyncIterable<readonly RecordedEvent[]>> {
    return this.streamsHistory(accountId, [groupStream(groupId), groupMembersStream(groupId)], cursor, `Group ${groupId}`);
  }

  private async streamsHistory(accountId: string, streams: readonly string[], cursor: number, what: string): Promise<AsyncIterable<readonly RecordedEvent[]>> {
    await this.assertAccountExists(accountId);
    const read = await Promise.all(streams.map((stream) => this.store.readStream(stream)));
    const events = read.flat().filter((event) => event.metadata.accountId === accountId);
    if (events.length === 0) throw new ScimError(404, `${what} not found in account ${accountId}`);
    return single(events.filter((event) => event.position > cursor).sort((a, b) => a.position - b.position));
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
    const time = parseInstant(value);
    if (time === undefined) throw badRequest('invalidValue', `${name} is not a valid instant: ${value}`);
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

/**
 * Epoch ms of an ISO-8601 date or instant, undefined when a field is out of range: Date.parse
 * alone reads 2025-02-30 as March 2nd.
 */
export function parseInstant(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() + 1 === month && date.getUTCDate() === day && (hour as number) < 24 && (minute as number) < 60 && (second as number) < 60;
  const time = Date.parse(value);
  return valid && !Number.isNaN(time) ? time : undefined;
}

async function* single(events: readonly RecordedEvent[]): AsyncIterable<readonly RecordedEvent[]> {
  if (events.length > 0) yield events;
}
