'use strict';
// Audit reads with and without the account-log index (distributed mode's answer to EventStoreDB
// having no index on metadata). The log is an embedded SQLite log seen through the port's default
// readAllMatching (read every event, filter by account), which is what the EventStoreDB adapter
// does; "indexed" is AccountIndexedEventStore over the same log, its index built by the projection
// into an embedded read store. Prints, per log size, the CPU time (median of 5) of one audit page
// (an account's first batch of 500 events, what the audit API reads for a page of 100) and of a
// small account's whole history, and the log events each read.
//
//   npm run build && node bench/audit-index.js [events...]      (default: 10000 100000)
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');
const dist = require('./lib/dist');

const { SqliteEventStore, DelegatingEventStore } = dist.eventStore();
const { EmbeddedReadStore, ProjectionRunner, AccountIndexedEventStore } = dist.readModels();
const { accountLogProjection, ACCOUNT_LOG, accountLogIndexes } = dist.projections();

const ACCOUNTS = 50;
const SMALL_ACCOUNT_EVENTS = 100;
const PAGE = 100;
const RUNS = 5;

/** The port's default readAllMatching over a counted readAll: the EventStoreDB adapter's behaviour. */
class LogWithoutIndex extends DelegatingEventStore {
  constructor(inner) {
    super(inner);
    this.eventsRead = 0;
  }
  async *readAll(options) {
    for await (const batch of this.inner.readAll(options)) {
      this.eventsRead += batch.length;
      yield batch;
    }
  }
}

const event = (accountId, n) => ({ id: randomUUID(), type: 'UserAttributesUpdated', data: { n, displayName: `User ${n}` }, metadata: { accountId, correlationId: randomUUID() } });

async function seed(store, total) {
  // Appends of 20 events to one stream (seeding speed); the small account's appends are spread
  // evenly over the log, the others go round the other accounts.
  const perAppend = 20;
  const appends = total / perAppend;
  const every = Math.floor(appends / (SMALL_ACCOUNT_EVENTS / perAppend));
  for (let n = 0; n < appends; n++) {
    const accountId = n % every === 0 ? 'small' : `account-${n % ACCOUNTS}`;
    const events = Array.from({ length: perAppend }, (_, i) => event(accountId, n * perAppend + i));
    await store.append(`user-${accountId}-${n % 200}`, events, 'any');
  }
}

async function take(batches, limit) {
  let count = 0;
  for await (const batch of batches) {
    count += batch.length;
    if (count >= limit) break;
  }
  return count;
}

async function measure(log, read) {
  const times = [];
  let eventsRead = 0;
  let events = 0;
  for (let run = 0; run < RUNS; run++) {
    log.eventsRead = 0;
    // CPU time, not wall time: the machine is shared, and a wall clock would measure the neighbours.
    const started = process.cpuUsage();
    events = await read();
    const used = process.cpuUsage(started);
    times.push((used.user + used.system) / 1000);
    eventsRead = log.eventsRead;
  }
  times.sort((a, b) => a - b);
  return { cpuMs: Number(times[Math.floor(RUNS / 2)].toFixed(2)), events, logEventsRead: eventsRead };
}

async function main() {
  const sizes = process.argv.slice(2).map(Number);
  for (const total of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    const dir = mkdtempSync(join(tmpdir(), 'audit-index-'));
    const sqlite = SqliteEventStore.open({ file: join(dir, 'events.db') });
    const log = new LogWithoutIndex(sqlite);
    const readStore = EmbeddedReadStore.open({ file: join(dir, 'read-models.db') });
    try {
      await seed(sqlite, total);
      await readStore.ensureIndexes(ACCOUNT_LOG, accountLogIndexes);
      const runner = new ProjectionRunner(log, readStore, [accountLogProjection], { logger: { log: () => undefined, error: () => undefined } });
      const indexStarted = Date.now();
      await runner.start();
      await runner.waitFor(await sqlite.headPosition(), 600_000);
      await runner.stop();
      const indexSeconds = (Date.now() - indexStarted) / 1000;
      const indexed = new AccountIndexedEventStore(log, readStore);
      const page = (store) => () => take(store.readAllMatching({ metadata: { accountId: 'account-7' }, batchSize: 500 }), PAGE);
      const small = (store) => () => take(store.readAllMatching({ metadata: { accountId: 'small' }, batchSize: 500 }), Infinity);
      const result = {
        logEvents: total,
        indexSeconds,
        auditPage: { scan: await measure(log, page(log)), indexed: await measure(log, page(indexed)) },
        smallAccountHistory: { scan: await measure(log, small(log)), indexed: await measure(log, small(indexed)) },
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await sqlite.close();
      await readStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
