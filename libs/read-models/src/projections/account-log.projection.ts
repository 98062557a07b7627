import type { Projection } from '../projection';
import type { Doc, IndexSpec } from '../read-store.port';

export const ACCOUNT_LOG = 'account_log';

/**
 * Where one event of an account is in the log: enough to page through an account's history and
 * then read each event from its stream, never the event itself (the log stays the only copy of
 * what happened, so erasing a person there erases them everywhere).
 */
export interface AccountLogEntry extends Doc {
  readonly accountId: string;
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
}

/**
 * An index of the event log by account, for stores that have none of their own (EventStoreDB:
 * an account's history would otherwise read the whole log). Not among `allProjections`, which
 * writes wait for: readers read the log itself past its checkpoint (`AccountIndexedEventStore`).
 */
export const accountLogProjection: Projection = {
  name: 'account-log',
  version: 1,
  streamPrefixes: [],
  targets: (recorded) => (typeof recorded.metadata.accountId === 'string' ? [{ collection: ACCOUNT_LOG, id: recorded.id }] : []),
  evolve: (_ref, _doc, recorded): AccountLogEntry => ({
    _id: recorded.id,
    accountId: recorded.metadata.accountId as string,
    position: recorded.position,
    streamId: recorded.streamId,
    revision: recorded.revision,
    type: recorded.type,
  }),
};

export const accountLogIndexes: readonly IndexSpec[] = [
  // MongoDB pages an account's entries by position through this one.
  { name: 'account_position', fields: [['accountId', 1], ['position', 1]] },
  // The embedded store's indexes are keyed by every field they name: it needs the account alone.
  { name: 'account', fields: [['accountId', 1]] },
];
