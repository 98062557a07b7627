import type { RecordedEvent } from '@scim/event-store';
import { filterHistory, readHistoryPage, toAuditEvent } from './audit-history';
import { parseInstant } from './audit-log';

const hour = 3_600_000;
const start = Date.parse('2025-03-01T00:00:00.000Z');

function event(position: number, type = 'UserAttributesUpdated', metadata: Record<string, unknown> = {}): RecordedEvent {
  return {
    id: `e${position}`,
    streamId: 'user-1',
    revision: position - 1,
    position,
    type,
    data: { n: position },
    metadata,
    recordedAt: new Date(start + position * hour).toISOString(),
  };
}

async function* batchesOf(events: readonly RecordedEvent[], size: number, pulled?: { count: number }): AsyncIterable<readonly RecordedEvent[]> {
  for (let index = 0; index < events.length; index += size) {
    if (pulled) pulled.count++;
    yield events.slice(index, index + size);
  }
}

const log = Array.from({ length: 10 }, (_, index) => event(index + 1, index % 3 === 0 ? 'UserProvisioned' : 'UserAttributesUpdated'));

describe('readHistoryPage', () => {
  test('fills a page, then continues after its last event until the log ends', async () => {
    const first = await readHistoryPage(batchesOf(log, 4), {}, 4, 1000);
    const second = await readHistoryPage(batchesOf(log.filter((e) => e.position > 4), 4), {}, 4, 1000);
    const last = await readHistoryPage(batchesOf(log.filter((e) => e.position > 8), 4), {}, 4, 1000);

    expect(first.events.map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect(first.nextCursor).toBe(4);
    expect(second.nextCursor).toBe(8);
    expect(last).toEqual({ events: [log[8], log[9]], nextCursor: null });
  });

  test('filters by type and by a time window [from, to)', async () => {
    const byType = await readHistoryPage(batchesOf(log, 3), { types: new Set(['UserProvisioned']) }, 100, 1000);
    const window = await readHistoryPage(batchesOf(log, 3), { from: start + 3 * hour, to: start + 6 * hour }, 100, 1000);

    expect(byType.events.map((e) => e.position)).toEqual([1, 4, 7, 10]);
    expect(window.events.map((e) => e.position)).toEqual([3, 4, 5]);
  });

  test('stops after scanLimit events looked at, with a cursor after the last one, even with an empty page', async () => {
    const page = await readHistoryPage(batchesOf(log, 2), { types: new Set(['Nothing']) }, 10, 5);

    expect(page).toEqual({ events: [], nextCursor: 5 });
  });

  test('reads no further batch than the page needs', async () => {
    const pulled = { count: 0 };

    await readHistoryPage(batchesOf(log, 2, pulled), {}, 3, 1000);

    expect(pulled.count).toBe(2);
  });
});

describe('filterHistory', () => {
  test('yields only matching events, skipping batches left empty', async () => {
    const yielded: number[][] = [];
    for await (const batch of filterHistory(batchesOf(log, 2), { types: new Set(['UserProvisioned']) })) yielded.push(batch.map((e) => e.position));

    expect(yielded).toEqual([[1], [4], [7], [10]]);
  });
});

describe('toAuditEvent', () => {
  test('shows who, when and which request; the chain hash; nothing else of the metadata', () => {
    const recorded = event(3, 'UserDeactivated', {
      accountId: 'a1',
      actor: { kind: 'scim-token', tokenId: 't1' },
      occurredAt: '2025-03-01T02:59:59.000Z',
      correlationId: 'req-1',
      causationId: 'req-1',
      schemaVersion: 2,
      normalizations: ['boolean-from-string:active'],
      chain: { prev: '0'.repeat(64), hash: 'a'.repeat(64) },
      internal: 'not for auditors',
    });

    expect(toAuditEvent(recorded)).toEqual({
      position: 3,
      eventId: 'e3',
      streamId: 'user-1',
      revision: 2,
      type: 'UserDeactivated',
      schemaVersion: 2,
      data: { n: 3 },
      recordedAt: recorded.recordedAt,
      occurredAt: '2025-03-01T02:59:59.000Z',
      actor: { kind: 'scim-token', tokenId: 't1' },
      correlationId: 'req-1',
      causationId: 'req-1',
      normalizations: ['boolean-from-string:active'],
      hash: 'a'.repeat(64),
    });
  });

  test('an event without the metadata conventions shows nulls, not undefined', () => {
    expect(toAuditEvent(event(1))).toMatchObject({ actor: null, occurredAt: null, correlationId: null, causationId: null, schemaVersion: null, hash: null });
  });
});

describe('parseInstant', () => {
  test.each([
    ['2025-02-28', Date.UTC(2025, 1, 28)],
    ['2024-02-29T12:30:00Z', Date.UTC(2024, 1, 29, 12, 30)],
    ['2025-03-01T01:00:00.123+01:00', Date.UTC(2025, 2, 1, 0, 0, 0, 123)],
  ])('reads %s', (value, expected) => {
    expect(parseInstant(value)).toBe(expected);
  });

  test.each(['2025-02-30', '2025-02-29', '2025-13-01', '2025-01-01T24:00:00Z', '2025-01-01T10:60:00Z', 'yesterday'])('refuses %s', (value) => {
    expect(parseInstant(value)).toBeUndefined();
  });
});
