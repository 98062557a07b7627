'use strict';
// The rebuild scenario: the service's own start-up rebuild of every read model from the whole
// event log of DATA_DIR/events.db (its read models removed first; lib/startup-rebuild.js). Prints
// one JSON line: the log's head, the events projected, the rebuild's seconds, events/s of the log.
// With "readOnly": only reads the events a rebuild reads, as it reads them (the same stream
// prefixes and batches, decoded), and writes nothing: the floor of any rebuild from this log.
// With "opened" as well: the events' personal fields are opened with the folder's keys (as every
// rebuild of a sealed log must), still nothing written.
// With "writeFloor" (a target file): reads the same way and writes, per batch, one row per stream
// the batch touches (its last event's JSON, ~ a document's size) in one transaction, with the
// rebuild target's settings: the floor of any read model persisted in SQLite, nothing projected.
//
//   node bench/rebuild.js '{"dataDir":…}'          (DATA_DIR's read models are rebuilt in place)
//   node bench/rebuild.js '{"dataDir":…,"readOnly":true}'
//   node bench/rebuild.js '{"dataDir":…,"readOnly":true,"opened":true}'
//   node bench/rebuild.js '{"dataDir":…,"writeFloor":"/path/to/scratch.db"}'
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./lib/dist');
const { BENCH_OPERATOR_KEY } = require('./lib/processes');
const { rebuildAtStart } = require('./lib/startup-rebuild');

async function main() {
  const { dataDir, readOnly, opened, writeFloor, port } = JSON.parse(process.argv[2]);
  if (readOnly || writeFloor) {
    const { SqliteEventStore } = dist.eventStore();
    const eventStore = SqliteEventStore.open({ file: join(dataDir, 'events.db'), readonly: true });
    return readTheLog(opened ? openingPersonalData(eventStore, dataDir) : eventStore, writeFloor ? minimalWriter(writeFloor) : () => undefined);
  }
  const rebuilt = await rebuildAtStart({ dataDir, operatorKey: BENCH_OPERATOR_KEY, port });
  process.stdout.write(`${JSON.stringify({ ...rebuilt, eventsPerSecond: rebuilt.events / rebuilt.seconds, logEventsPerSecond: rebuilt.head / rebuilt.seconds })}\n`);
}

/** The log as the service reads it: personal fields opened with DATA_DIR's keys, read-only. */
function openingPersonalData(eventStore, dataDir) {
  const { EncryptingEventStore, loadRootKey, ROOT_KEY_FILE, SqliteSubjectKeyStore } = dist.personalData();
  const rootKey = loadRootKey({ file: join(dataDir, ROOT_KEY_FILE), create: false });
  const keys = SqliteSubjectKeyStore.open({ file: join(dataDir, 'keys.db'), rootKey, readonly: true });
  const opening = new EncryptingEventStore(eventStore, keys, dist.domain().personalDataPolicy);
  const close = opening.close.bind(opening);
  opening.close = async () => {
    await close();
    await keys.close();
  };
  return opening;
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
