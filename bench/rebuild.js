'use strict';
// The rebuild scenario: every projection over the whole event log of DATA_DIR/events.db into a
// fresh EmbeddedReadStore file (indexes created first, as the service does; a scratch file, as
// `cli rebuild` writes), with ProjectionRunner.rebuild. Prints one JSON line with the events and
// the time taken. Then the process managers' checkpoints are set to the head, untimed.
// With "readOnly": only reads the events a rebuild reads, as it reads them (the same stream
// prefixes and batches, decoded), and writes nothing: the floor of any rebuild from this log.
// With "writeFloor" (a target file): reads the same way and writes, per batch, one row per stream
// the batch touches (its last event's JSON, ~ a document's size) in one transaction, with the
// rebuild target's settings: the floor of any read model persisted in SQLite, nothing projected.
//
//   node bench/rebuild.js '{"dataDir":…,"target":"/path/to/fresh/read-models.db"}'
//   node bench/rebuild.js '{"dataDir":…,"readOnly":true}'
//   node bench/rebuild.js '{"dataDir":…,"writeFloor":"/path/to/scratch.db"}'
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./lib/dist');
const { rebuildReadModels } = require('./lib/rebuild-read-models');

async function main() {
  const { dataDir, target, readOnly, writeFloor } = JSON.parse(process.argv[2]);
  const { SqliteEventStore } = dist.eventStore();
  if (readOnly || writeFloor) {
    const eventStore = SqliteEventStore.open({ file: join(dataDir, 'events.db'), readonly: true });
    return readTheLog(eventStore, writeFloor ? minimalWriter(writeFloor) : () => undefined);
  }

  for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  const eventStore = SqliteEventStore.open({ file: join(dataDir, 'events.db') });
  const { progress, seconds, checkpoints } = await rebuildReadModels(eventStore, target, { scratch: true });
  await eventStore.close();
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  process.stdout.write(
    `${JSON.stringify({ events: progress.events, head: progress.head, position: progress.position, seconds, eventsPerSecond: progress.events / seconds, checkpoints, rssMiB })}\n`,
  );
}

// ProjectionRunner's rebuild batch size.
const REBUILD_BATCH_SIZE = 250;

async function readTheLog(eventStore, write) {
  const { allProjections } = dist.projections();
  const streamPrefixes = [...new Set(allProjections.flatMap((projection) => projection.streamPrefixes))];
  const head = await eventStore.headPosition();
  const started = performance.now();
  let events = 0;
  for await (const batch of eventStore.readAll({ batchSize: REBUILD_BATCH_SIZE, streamPrefixes })) {
    events += batch.length;
    write(batch);
  }
  const seconds = (performance.now() - started) / 1000;
  await eventStore.close();
  process.stdout.write(`${JSON.stringify({ events, head, seconds, logEventsPerSecond: head / seconds })}\n`);
}

/** Writes one row per stream of each batch into a fresh file set up as a rebuild's scratch target. */
function minimalWriter(file) {
  const Database = require('better-sqlite3');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec('CREATE TABLE documents (ord INTEGER PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL)');
  const upsert = db.prepare('INSERT OR REPLACE INTO documents (ord, id, body) VALUES (?, ?, ?)');
  const ranks = new Map();
  const writeBatch = db.transaction((batch) => {
    const last = new Map(batch.map((event) => [event.streamId, event]));
    for (const [streamId, event] of last) {
      let rank = ranks.get(streamId);
      if (rank === undefined) ranks.set(streamId, (rank = ranks.size + 1));
      upsert.run(rank, streamId, JSON.stringify(event));
    }
  });
  return writeBatch;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
