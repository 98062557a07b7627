/**
 * Selecting and paging an event history for auditors: pure functions over batches of recorded
 * events in commit order, so the paging rules are tested without a store or HTTP.
 */
import type { RecordedEvent } from '@scim/event-store';
import { chainLinkOf } from '@scim/event-store/hash-chain';

export interface HistoryFilter {
  /** Only these event types (any, when absent). */
  readonly types?: ReadonlySet<string>;
  /** Recorded at or after this instant (epoch ms). */
  readonly from?: number;
  /** Recorded before this instant (epoch ms). */
  readonly to?: number;
}

export interface HistoryPage {
  readonly events: readonly RecordedEvent[];
  /** Pass as `cursor` for the next page; null when the log held nothing more when read. */
  readonly nextCursor: number | null;
}

/** How an auditor sees an event: what happened, when, who did it and on which request. */
export interface AuditEvent {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number | null;
  readonly data: Readonly<Record<string, unknown>>;
  /** When the store committed it. */
  readonly recordedAt: string;
  /** When the command that caused it was issued. */
  readonly occurredAt: string | null;
  readonly actor: unknown;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** IdP quirks the API normalised in the request that caused it. */
  readonly normalizations?: readonly unknown[];
  /** The event's hash in its stream's chain (tamper evidence), null for events written before it. */
  readonly hash: string | null;
}

export function matchesHistoryFilter(event: RecordedEvent, filter: HistoryFilter): boolean {
  if (filter.types && !filter.types.has(event.type)) return false;
  if (filter.from === undefined && filter.to === undefined) return true;
  const recordedAt = Date.parse(event.recordedAt);
  return (filter.from === undefined || recordedAt >= filter.from) && (filter.to === undefined || recordedAt < filter.to);
}

/**
 * Takes up to `limit` matching events from `batches`. A page stops early, possibly empty, after
 * `scanLimit` events were looked at (a rare type over a long history must not make one request
 * read it all); `nextCursor` then continues after the last event looked at.
 */
export async function readHistoryPage(
  batches: AsyncIterable<readonly RecordedEvent[]>,
  filter: HistoryFilter,
  limit: number,
  scanLimit: number,
): Promise<HistoryPage> {
  const events: RecordedEvent[] = [];
  let scanned = 0;
  for await (const batch of batches) {
    for (const event of batch) {
      scanned++;
      if (matchesHistoryFilter(event, filter)) {
        events.push(event);
        if (events.length === limit) return { events, nextCursor: event.position };
      }
      if (scanned >= scanLimit) return { events, nextCursor: event.position };
    }
  }
  return { events, nextCursor: null };
}

/** Only the events that match, batch by batch (for streaming). */
export async function* filterHistory(
  batches: AsyncIterable<readonly RecordedEvent[]>,
  filter: HistoryFilter,
): AsyncIterable<readonly RecordedEvent[]> {
  for await (const batch of batches) {
    const matching = batch.filter((event) => matchesHistoryFilter(event, filter));
    if (matching.length > 0) yield matching;
  }
}

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  const { metadata } = event;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    position: event.position,
    eventId: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    schemaVersion: typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : null,
    data: event.data,
    recordedAt: event.recordedAt,
    occurredAt: text(metadata.occurredAt),
    actor: metadata.actor ?? null,
    correlationId: text(metadata.correlationId),
    causationId: text(metadata.causationId),
    ...(Array.isArray(metadata.normalizations) ? { normalizations: metadata.normalizations } : {}),
    hash: chainLinkOf(metadata)?.hash ?? null,
  };
}
