'use strict';
// The read models of a seeded data folder, built by the service itself: with its read models
// removed, the service started on the folder builds them from the whole log through its start-up
// rebuild (a scratch file swapped in, see libs/read-models read-model-upgrade.ts) before it
// listens, logging a first line, progress, and "Rebuilt the read models from N events in …". The
// time taken is read from the timestamps of the first and last of those lines.
const { existsSync, readFileSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./dist');
const { call } = require('./http');
const { startService, stopNode, waitUntil, rssMiB } = require('./processes');

const BUILDING = /^No read models beside a non-empty event log/;
const REBUILT = /^Rebuilt the read models from (\d+) events in /;

/**
 * Removes DATA_DIR's read models, starts the service on it and stops it once it serves; `whileUp`
 * (optional, given the running service) runs before the stop. Resolves with the log's head, the
 * events projected, the rebuild's seconds, the time to the first served request and the RSS then.
 */
async function rebuildAtStart({ dataDir, operatorKey, port, whileUp }) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `read-models.db${suffix}`), { force: true });
  const head = await headOf(dataDir);
  const logFile = join(dataDir, 'service.log');
  const logFrom = existsSync(logFile) ? statSync(logFile).size : 0;
  // Its rebuild lines are read from the log: JSON lines, info level, whatever the caller's environment says.
  const service = await startService({ dataDir, operatorKey, port, env: { LOG_FORMAT: 'json', LOG_LEVEL: 'info' } });
  try {
    const servedMs = await waitUntil(service, async () => (await call(`${service.url}/scim/v2/x/ServiceProviderConfig`)).status === 200, { everyMs: 50, timeoutMs: 1_800_000 });
    const rss = rssMiB(service.pid);
    await whileUp?.(service);
    return { head, ...rebuildInLog(readFileSync(logFile).subarray(logFrom).toString('utf8'), logFile), servedMs, rssMiB: rss };
  } finally {
    await stopNode(service);
  }
}

async function headOf(dataDir) {
  const { SqliteEventStore } = dist.eventStore();
  const log = SqliteEventStore.open({ file: join(dataDir, 'events.db'), readonly: true });
  try {
    return await log.headPosition();
  } finally {
    await log.close();
  }
}

/** The rebuild this start logged (JSON lines: `time` in ISO 8601, `msg`). */
function rebuildInLog(text, logFile) {
  let startedAt;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const { time, msg } = JSON.parse(line);
    if (typeof msg !== 'string') continue;
    if (BUILDING.test(msg)) startedAt = Date.parse(time);
    const rebuilt = REBUILT.exec(msg);
    if (rebuilt && startedAt !== undefined) {
      const seconds = (Date.parse(time) - startedAt) / 1000;
      return { events: Number(rebuilt[1]), seconds };
    }
  }
  throw new Error(`the service did not log a start-up rebuild of its read models; see ${logFile}`);
}

module.exports = { rebuildAtStart };
