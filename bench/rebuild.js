'use strict';
// The rebuild scenario: every projection over the whole event log of DATA_DIR/events.db into a
// fresh EmbeddedReadStore file (indexes created first, as the service does; a scratch file, as
// `cli rebuild` writes), with ProjectionRunner.rebuild. Prints one JSON line with the events and
// the time taken. Then the process managers' checkpoints are set to the head, untimed.
//
//   node bench/rebuild.js '{"dataDir":…,"target":"/path/to/fresh/read-models.db"}'
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./lib/dist');
const { rebuildReadModels } = require('./lib/rebuild-read-models');

async function main() {
  const { dataDir, target } = JSON.parse(process.argv[2]);
  const { SqliteEventStore } = dist.eventStore();

  for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  const eventStore = SqliteEventStore.open({ file: join(dataDir, 'events.db') });
  const { progress, seconds, checkpoints } = await rebuildReadModels(eventStore, target, { scratch: true });
  await eventStore.close();
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  process.stdout.write(
    `${JSON.stringify({ events: progress.events, head: progress.head, position: progress.position, seconds, eventsPerSecond: progress.events / seconds, checkpoints, rssMiB })}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
