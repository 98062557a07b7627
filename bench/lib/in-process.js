'use strict';
// The service's own application in the benchmark's process (createApp, as main.ts builds it;
// embedded mode), for measuring its domain work without HTTP.
require('reflect-metadata');
const { join } = require('node:path');
const { DIST } = require('./dist');
const { median } = require('./stats');

const IN_FLIGHT = 50;

/** Starts the application on DATA_DIR, not listening (`listen`: on a free loopback port). */
async function startApp(dataDir, operatorKey, { listen = false } = {}) {
  const { loadConfig } = require(join(DIST, 'apps', 'scim-api', 'src', 'config', 'app-config'));
  const { createApp } = require(join(DIST, 'apps', 'scim-api', 'src', 'app.factory'));
  // Admission control off, as for every service the benchmark starts (lib/processes.js).
  const app = await createApp(loadConfig({ ...process.env, DATA_DIR: dataDir, OPERATOR_KEY: operatorKey, PORT: '0', RATE_LIMITS: 'off' }), false);
  if (listen) await app.listen(0, '127.0.0.1');
  return app;
}

/**
 * Calls `work` IN_FLIGHT at a time: a warm-up of `warmup` seconds, then `runs` runs of `seconds`.
 * Resolves with each run's calls and CPU time (user + system of this process, V8's helper threads
 * included) per call, and the median of the latter.
 */
async function cpuPerCall(work, { seconds, warmup, runs }) {
  await repeatFor(work, warmup);
  const measured = [];
  for (let run = 0; run < runs; run++) {
    const cpuBefore = process.cpuUsage();
    const { calls, wallSeconds } = await repeatFor(work, seconds);
    const cpu = process.cpuUsage(cpuBefore);
    measured.push({ calls, callsPerSecond: Math.round(calls / wallSeconds), cpuMicrosPerCall: Math.round((cpu.user + cpu.system) / calls) });
  }
  return { cpuMicrosPerCall: median(measured.map((run) => run.cpuMicrosPerCall)), runs: measured };
}

async function repeatFor(work, seconds) {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let calls = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await work(calls);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { calls, wallSeconds: (performance.now() - started) / 1000 };
}

module.exports = { startApp, cpuPerCall };
