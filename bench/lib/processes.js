'use strict';
// Child processes of the benchmark: the service, the ceiling app, the load generator and the
// store tools. Each is started here and stopped by its own pid, never by name.
const { spawn, execFile } = require('node:child_process');
const { openSync, closeSync, readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { ROOT, MAIN, serviceNodeOptions } = require('./dist');

/** The operator key every service the benchmark starts is given (OPERATOR_KEY). */
const BENCH_OPERATOR_KEY = 'bench-operator-key-0123456789abcdef';

// BENCH_PORTS=first-last keeps every port the benchmark opens in that range (a shared machine).
const portRange = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? '');
let nextInRange = portRange ? Number(portRange[1]) : 0;

/** A TCP port free on 127.0.0.1 right now (the next free one of BENCH_PORTS, when set). */
async function freePort() {
  if (!portRange) return listenOnce(0);
  for (let tries = Number(portRange[2]) - Number(portRange[1]) + 1; tries > 0; tries--) {
    const port = nextInRange;
    nextInRange = port >= Number(portRange[2]) ? Number(portRange[1]) : port + 1;
    const free = await listenOnce(port).catch(() => undefined);
    if (free !== undefined) return free;
  }
  throw new Error(`no free port in BENCH_PORTS=${process.env.BENCH_PORTS}`);
}

function listenOnce(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

/** Starts a long-running node process with its output in `logFile`. */
function startNode(script, { args = [], nodeArgs = [], env = {}, logFile }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, exited, logFile, spawnedAt: performance.now() };
}

/** Stops a process started by startNode: SIGTERM, then SIGKILL if it has not exited in time. */
async function stopNode(proc, graceMs = 15_000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([proc.exited, killed]);
  clearTimeout(timer);
  return proc.exited;
}

/**
 * The SCIM service, started as `npm run start:prod` starts it (`node [options]
 * dist/apps/scim-api/src/main.js`) on its own DATA_DIR. `profileDir` adds --cpu-prof; the preload
 * makes SIGTERM end the process with process.exit, so V8 writes the profile (Nest's shutdown hook
 * would otherwise re-raise the signal).
 */
async function startService({ dataDir, operatorKey, profileDir, env = {}, port: fixedPort }) {
  const port = fixedPort ?? (await freePort());
  const nodeArgs = [
    ...serviceNodeOptions(),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--require', join(__dirname, 'exit-on-sigterm.js')] : []),
  ];
  const proc = startNode(MAIN, {
    nodeArgs,
    // Admission control would measure the limits, not the service; the fairness scenario turns it on.
    env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, OPERATOR_KEY: operatorKey, RATE_LIMITS: 'off', ...env },
    logFile: join(dataDir, 'service.log'),
  });
  return { ...proc, port, url: `http://127.0.0.1:${port}`, dataDir, operatorKey };
}

/**
 * Polls `probe` (an async function resolving true once served) every `everyMs` until it holds;
 * resolves with the milliseconds since `since`. Rejects if the process exits or time runs out.
 */
async function waitUntil(proc, probe, { since = proc.spawnedAt, everyMs = 10, timeoutMs = 120_000 } = {}) {
  let exited = false;
  proc.exited.then(() => (exited = true));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`process ${proc.pid} exited before it served a request; see ${proc.logFile}`);
    if (await probe().catch(() => false)) return performance.now() - since;
    if (performance.now() > deadline) throw new Error(`process ${proc.pid} did not serve within ${timeoutMs} ms; see ${proc.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resident set size of a running process, in MiB (Linux /proc). */
function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kib / 1024;
}

/** CPU time (user + system, all threads) a running process has used, in ms (Linux /proc, 100 ticks/s). */
function cpuMillis(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs a node script to completion and parses the JSON its last stdout line holds. */
function runNodeJson(script, argument, { nodeArgs = [], env = {}, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...nodeArgs, script, JSON.stringify(argument)],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
        const lines = stdout.trim().split('\n');
        try {
          resolve(JSON.parse(lines[lines.length - 1]));
        } catch {
          reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

module.exports = { BENCH_OPERATOR_KEY, freePort, startNode, stopNode, startService, waitUntil, rssMiB, cpuMillis, runNodeJson };
