#!/usr/bin/env node
// Issue 12's memory acceptance run: a token holder sends 100 users with a 4 MB displayName (valid
// SCIM, once enough to exhaust the heap), then 100 with 512 KB (under the user body cap, over the
// attribute limit), then 100 users at the attribute limit that are stored and read back. The
// service must refuse the first two (413 and 400), stay up, and keep its RSS under the budget.
//
// Runs the built service (npm run build first) as the benchmark starts it (its node options, a free
// port on 127.0.0.1) with a fresh DATA_DIR and rate limits off (every request reaches the limits); other variables pass through
// (BODY_LIMIT_USER_BYTES=16777216 lets the 4 MB values past the body cap, to the attribute limit).
// Prints one JSON object; exits 1 if any answer is a 5xx, /health fails, or the peak RSS reaches
// RSS_BUDGET_MB (default 600).
'use strict';
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');
const { MAIN } = require('../bench/lib/dist');
const { rssMiB, startService, stopNode, waitUntil } = require('../bench/lib/processes');

const BUDGET_MB = Number(process.env.RSS_BUDGET_MB || 600);
const CONCURRENCY = 10;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const rssMb = (pid) => Math.round(rssMiB(pid));

/** Sends `count` requests built by `make(i)`, CONCURRENCY at a time; counts statuses. */
async function phase(count, make) {
  const statuses = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { url, init } = make(i);
      let status;
      try {
        const response = await fetch(url, init);
        await response.arrayBuffer();
        status = String(response.status);
      } catch (error) {
        status = `error:${error.cause?.code ?? error.message}`;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-big-values-'));
  const operatorKey = randomBytes(24).toString('hex');
  const service = await startService({ dataDir, operatorKey, env: { RATE_LIMITS: 'off' } });
  const { child, url: base } = service;
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(child.pid));
    } catch {
      // the process is gone; the health check below says so
    }
  }, 20);
  try {
    await waitUntil(service, async () => (await fetch(`${base}/health`)).ok, { timeoutMs: 60_000 });
    const admin = async (path, body) => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    const { accountId } = await admin('/admin/accounts', { name: 'Big values' });
    await admin(`/admin/accounts/${accountId}/scim/enable`);
    const { token } = await admin(`/admin/accounts/${accountId}/scim/tokens`, { validForDays: 1 });
    const users = `${base}/scim/v2/${accountId}/Users`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
    const post = (userName, displayName) => ({ url: users, init: { method: 'POST', headers, body: JSON.stringify({ schemas: [USER_SCHEMA], userName, displayName }) } });

    const idle = rssMb(child.pid);
    const fourMegabytes = await phase(100, (i) => post(`four.mb.${i}@example.com`, 'x'.repeat(4 * 1024 * 1024)));
    const halfMegabyte = await phase(100, (i) => post(`half.mb.${i}@example.com`, 'x'.repeat(512 * 1024)));
    const atLimit = await phase(100, (i) => post(`at.limit.${i}@example.com`, 'x'.repeat(4096)));
    const readBack = await phase(20, () => ({ url: `${users}?count=100`, init: { headers } }));
    const health = (await fetch(`${base}/health`)).status;
    const result = {
      requests: { fourMegabyteDisplayName: fourMegabytes, halfMegabyteDisplayName: halfMegabyte, atTheLimit4096: atLimit, listPagesOf100: readBack },
      health,
      rssMb: { idle, peak, end: rssMb(child.pid), budget: BUDGET_MB },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    // The edge answers 413 from Content-Length and closes: a client still sending sees EPIPE or a reset instead.
    const refusedEarly = /^(4\d\d|error:(EPIPE|ECONNRESET))$/;
    const failed =
      Object.keys(fourMegabytes).some((s) => !refusedEarly.test(s)) ||
      [halfMegabyte, atLimit, readBack].flatMap((s) => Object.keys(s)).some((s) => !/^[1-4]\d\d$/.test(s)) ||
      health !== 200 ||
      peak >= BUDGET_MB;
    process.exitCode = failed ? 1 : 0;
  } finally {
    clearInterval(sampler);
    await stopNode(service);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
