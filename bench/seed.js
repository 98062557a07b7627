'use strict';
// Seeds a stopped service's DATA_DIR directly (no HTTP): the events of `users` SCIM creates,
// appended through the hash chain to SqliteEventStore in large group-committed batches and sealed,
// then (with --rebuild) the read models rebuilt from the whole log into DATA_DIR/read-models.db and
// the process managers' checkpoints set to the head: the log and stores as the service leaves them.
//
//   node bench/seed.js '{"dataDir":…,"accountId":…,"tokenId":…,"prefix":"u","users":100000,"rebuild":true}'
//
// Prints one JSON line: counts and timings. Writes the new user ids to DATA_DIR/bench-users.txt.
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./lib/dist');
const { rebuildReadModels } = require('./lib/rebuild-read-models');
const { userEventFactory } = require('./lib/user-events');

// Creates per transaction: large enough for batch speed, small enough to bound memory.
const USERS_PER_BATCH = 2_500;

async function main() {
  const options = JSON.parse(process.argv[2]);
  const { SqliteEventStore } = dist.eventStore();
  const { ChainSealer, HashChainedEventStore } = dist.hashChain();
  const store = new HashChainedEventStore(SqliteEventStore.open({ file: join(options.dataDir, 'events.db') }));
  const appendsForUser = userEventFactory(options);
  const started = performance.now();
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  let events = 0;
  for (let first = 0; first < options.users; first += USERS_PER_BATCH) {
    const last = Math.min(options.users, first + USERS_PER_BATCH);
    const ids = [];
    const pending = [];
    for (let i = first; i < last; i++) {
      const { userId, appends } = appendsForUser(options.prefix, i, new Date(base + i * 1000).toISOString());
      ids.push(userId);
      // Appended in one tick, so the store commits the whole batch in one transaction.
      for (const [stream, streamEvents, expected] of appends) {
        pending.push(store.append(stream, streamEvents, expected));
        events += streamEvents.length;
      }
    }
    await Promise.all(pending);
    appendFileSync(join(options.dataDir, 'bench-users.txt'), `${ids.join('\n')}\n`);
  }
  await new ChainSealer(store).seal();
  const seedSeconds = (performance.now() - started) / 1000;
  const head = await store.headPosition();

  let rebuild;
  if (options.rebuild) {
    // Into DATA_DIR/read-models.db, which keeps the index definitions of the template it came from.
    const { progress, seconds } = await rebuildReadModels(store, join(options.dataDir, 'read-models.db'));
    rebuild = { events: progress.events, seconds, eventsPerSecond: progress.events / seconds };
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ users: options.users, events, head, seedSeconds, eventsPerSecond: events / seedSeconds, rebuild })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
