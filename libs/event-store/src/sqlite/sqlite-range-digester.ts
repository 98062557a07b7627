import { type DigestedRange, type RangeDigester, type RangeToDigest, SEAL_STREAM } from '../hash-chain/seal';
import { SqliteThreadRequests, startSqliteThread } from './sqlite-thread';

/**
 * The thread's program (`startSqliteThread`, a read-only connection to events.db): per request, the
 * digest of a range as `RangeDigest` (hash-chain/seal.ts) makes it, from the columns the digest
 * covers and each event's link read as `chainLinkOf` (hash-chain/event-hash.ts) reads it. Both are
 * repeated here as text; sqlite-range-digester.contract-spec.ts holds them to the originals.
 * An event the main thread's path would digest otherwise (no well-formed link: `linkHashOf` hashes
 * it whole) or could not read at all (data or metadata that is not JSON) stops the range
 * undigested.
 */
const RANGE_DIGEST_PROGRAM = `
const { createHash } = require('node:crypto');
db.pragma('busy_timeout = 5000');
const SHA256_HEX = /^[0-9a-f]{64}$/;
const selectRange = db.prepare(
  'SELECT position, stream_id, revision, metadata, recorded_at, json_valid(data) AS data_is_json FROM events ' +
    'WHERE position > ? AND position <= ? ORDER BY position LIMIT ?',
);
// The metadata parsed as the store's reads parse it, for the same link: of duplicate keys
// json_extract takes the first and JSON.parse the last (here both cost about the same).
function linkHashOf(metadataText) {
  let metadata;
  try {
    metadata = JSON.parse(metadataText);
  } catch {
    return undefined;
  }
  const link = typeof metadata === 'object' && metadata !== null ? metadata.chain : undefined;
  if (typeof link !== 'object' || link === null) return undefined;
  const { prev, hash } = link;
  return typeof prev === 'string' && typeof hash === 'string' && SHA256_HEX.test(prev) && SHA256_HEX.test(hash) ? hash : undefined;
}
return ({ fromPosition, toPosition, maxEvents }) => {
  const hash = createHash('sha256');
  let events = 0;
  let lastPosition = fromPosition;
  let onlySeals = true;
  for (const event of selectRange.iterate(fromPosition, toPosition, maxEvents)) {
    const linkHash = event.data_is_json === 1 ? linkHashOf(event.metadata) : undefined;
    if (linkHash === undefined) return { undigested: event.position };
    hash.update(\`\${event.position}\\t\${event.revision}\\t\${linkHash}\\t\${event.recorded_at}\\t\${JSON.stringify(event.stream_id)}\\n\`, 'utf8');
    events++;
    lastPosition = event.position;
    onlySeals = onlySeals && event.stream_id === workerData.sealStream;
  }
  return { events, toPosition: lastPosition, onlySeals, digest: hash.digest('hex') };
};
`;

/**
 * Digests the sealer's ranges (`ChainSealer`'s `rangeDigester`) on a thread with its own read-only
 * connection to events.db: a seal of 200,000 events (about a minute under load) took the event
 * loop ~1.4 s of CPU, read and decoded there; with the thread, ~50 ms (measured, and ~1.8 s against
 * ~30 ms in the idle service). One range at a time (`SqliteThreadRequests`); `close()` must come
 * before the store's own close (the store's connection closes last, checkpointing and removing the
 * WAL).
 */
export class SqliteRangeDigester implements RangeDigester {
  private readonly ranges: SqliteThreadRequests<DigestedRange | { readonly undigested: number }>;
  private closed = false;

  constructor(file: string) {
    this.ranges = new SqliteThreadRequests(() => startSqliteThread(file, RANGE_DIGEST_PROGRAM, { sealStream: SEAL_STREAM }, { readonly: true }), 'range digester');
  }

  async digest(range: RangeToDigest): Promise<DigestedRange | undefined> {
    if (this.closed) return undefined;
    const reply = await this.ranges.ask(() => range);
    if ('error' in reply) throw new Error(`Events (${range.fromPosition}, ${range.toPosition}] were not digested: ${reply.error}`);
    return 'undigested' in reply ? undefined : reply;
  }

  /** Digests the ranges asked before it, then closes the thread's connection. */
  close(): Promise<void> {
    this.closed = true;
    return this.ranges.close();
  }
}
