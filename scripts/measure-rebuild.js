'use strict';
// Measures a rebuild of the read models by hand, in CPU time (the machine is shared: wall time is
// not a before/after figure). Two steps, after `npm run build`:
//
//   node scripts/measure-rebuild.js seed '{"dataDir":"/tmp/x","users":500000}'
//     a log of `users` SCIM creates (2 events each, as bench/seed.js writes them), sealed as the
//     service seals them (DATA_DIR/keys.db, root.key): a rebuild then decrypts every user event.
//   node scripts/measure-rebuild.js rebuild '{"dataDir":"/tmp/x"}'
//     `cli rebuild`'s path (the log opened with its keys, every projection into a fresh scratch
//     file), printed as one JSON line: events, wall and CPU seconds, events/s by both.
const { mkdirSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('../bench/lib/dist');
const { userEventFactory } = require('../bench/lib/user-events');

const USERS_PER_BATCH = 2_500;

async function seed({ dataDir, users, accountId = 'acct-bench', tokenId = 'token-bench', prefix = 'u' }) {
  mkdirSync(dataDir, { recursive: true });
  const { SqliteEventStore } = dist.eventStore();
  const { HashChainedEventStore, ChainSealer } = dist.hashChain();
  const { EncryptingEventStore, SqliteSubjectKeyStore, loadRootKey, ROOT_KEY_FILE } = require(join(dist.DIST, 'libs/event-store/src/personal-data'));
  const rootKey = loadRootKey({ file: join(dataDir, ROOT_KEY_FILE), create: true });
  const keys = SqliteSubjectKeyStore.open({ file: join(dataDir, 'keys.db'), rootKey });
  const chained = new HashChainedEventStore(SqliteEventStore.open({ file: join(dataDir, 'events.db') }));
  const store = new EncryptingEventStore(chained, keys, dist.domain().personalDataPolicy);
  const appendsForUser = userEventFactory({ accountId, tokenId });
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  for (let first = 0; first < users; first += USERS_PER_BATCH) {
    const pending = [];
    for (let i = first; i < Math.min(users, first + USERS_PER_BATCH); i++) {
      const { appends } = appendsForUser(prefix, i, new Date(base + i * 1000).toISOString());
      for (const [stream, events, expected] of appends) pending.push(store.append(stream, events, expected));
    }
    await Promise.all(pending);
  }
  await new ChainSealer(chained).seal();
  const head = await store.headPosition();
  await store.close();
  await keys.close();
  process.stdout.write(`${JSON.stringify({ users, head })}\n`);
}

async function rebuild({ dataDir, target = join(dataDir, 'rebuilt.db'), inProcess = false }) {
  const { rebuildEmbeddedFile } = dist.readModels();
  const { allProjections, prepareReadModelStore } = dist.projections();
  const { openOpenedEventLog, dataFilesOf } = require(join(dist.DIST, 'apps/cli/src/data-dir'));
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  const log = openOpenedEventLog(dataFilesOf(dataDir));
  const threads = new ThreadCpu();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const progress = await rebuildEmbeddedFile({
    eventStore: log,
    projections: allProjections,
    file: target,
    prepare: prepareReadModelStore,
    logger: { log: () => undefined, error: console.error },
    // A script that does not exist keeps the writes in this thread (the path without a compiled worker).
    ...(inProcess ? { writer: { script: '' } } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const busiestThread = threads.stop();
  const cpuSeconds = (user + system) / 1e6;
  await log.close();
  const head = progress.head;
  process.stdout.write(
    `${JSON.stringify({
      events: progress.events,
      head,
      seconds,
      cpuSeconds,
      busiestThreadCpuSeconds: busiestThread,
      logEventsPerSecond: Math.round(head / seconds),
      // What a quiet machine with a core per thread allows: the busiest thread is the critical path.
      logEventsPerBusiestThreadCpuSecond: Math.round(head / busiestThread),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    })}\n`,
  );
}

/** CPU seconds of each of this process's threads (/proc/self/task), sampled until stopped: a worker's last sample survives its exit. */
class ThreadCpu {
  constructor() {
    this.start = this.sample();
    this.last = new Map(this.start);
    this.timer = setInterval(() => this.sample().forEach((seconds, tid) => this.last.set(tid, seconds)), 100);
  }

  sample() {
    const ticks = new Map();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks.set(tid, (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, at 100 ticks/s
      } catch {
        // The thread ended between listing and reading.
      }
    }
    return ticks;
  }

  stop() {
    clearInterval(this.timer);
    this.sample().forEach((seconds, tid) => this.last.set(tid, seconds));
    const used = [...this.last].map(([tid, seconds]) => seconds - (this.start.get(tid) ?? 0)).filter((seconds) => seconds > 0.05);
    if (process.env.THREADS) console.error('CPU seconds per thread', used);
    return Math.max(...used);
  }
}

const [command, options] = process.argv.slice(2);
({ seed, rebuild })[command](JSON.parse(options)).catch((error) => {
  console.error(error);
  process.exit(1);
});
