'use strict';
// Seeds a stopped service's DATA_DIR directly (no HTTP): the events of `users` SCIM creates,
// appended through the hash chain to the SQLite event log in large group-committed batches, then
// sealed: the log as the service leaves it. Nothing else: the read models are the service's own
// work (bench/lib/startup-rebuild.js starts it on the folder with its read models removed).
// Only the libraries' public entry points are used (lib/dist.js).
//
//   node bench/seed.js '{"dataDir":…,"accountId":…,"tokenId":…,"prefix":"u","users":100000}'
//
// Prints one JSON line: counts, timings and this process's CPU time. Writes the new user ids to
// DATA_DIR/bench-users.txt.
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./lib/dist');
const { userEventFactory } = require('./lib/user-events');

// Creates per transaction: large enough for batch speed, small enough to bound memory.
const USERS_PER_BATCH = 2_500;

async function main() {
  const options = JSON.parse(process.argv[2]);
  const { SqliteEventStore } = dist.eventStore();
  const { ChainSealer, HashChainedEventStore } = dist.hashChain();
  const { EncryptingEventStore, loadRootKey, ROOT_KEY_FILE, SqliteSubjectKeyStore } = dist.personalData();
  const chained = new HashChainedEventStore(SqliteEventStore.open({ file: join(options.dataDir, 'events.db') }));
  // Personal fields sealed above the chain with the folder's own keys, as the service writes them.
  const keys = SqliteSubjectKeyStore.open({ file: join(options.dataDir, 'keys.db'), rootKey: loadRootKey({ file: join(options.dataDir, ROOT_KEY_FILE) }) });
  const store = new EncryptingEventStore(chained, keys, dist.domain().personalDataPolicy);
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
  await new ChainSealer(chained).seal();
  const seedSeconds = (performance.now() - started) / 1000;
  const head = await store.headPosition();
  await store.close();
  await keys.close();
  const cpu = process.cpuUsage();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ users: options.users, events, head, seedSeconds, eventsPerSecond: events / seedSeconds, cpuSeconds })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
