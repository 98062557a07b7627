'use strict';
// Fairness under admission control (issue 12): while account A floods the service with its SCIM
// token (and gets 429s), how much slower is account B, an IdP well within its limit? B's p99 is
// measured alone, then during A's flood; the target is a ratio ≤ 2. The service runs with the
// default limits (RATE_LIMITS on), the only scenario that does.
const { join } = require('node:path');
const { mkdirSync } = require('node:fs');
const { call } = require('./lib/http');
const { startService, stopNode, waitUntil } = require('./lib/processes');
const { median } = require('./lib/stats');

// An IdP's pace: a few connections at a fixed rate under its account's limit (100/s per token).
const B_CONNECTIONS = 4;
const B_RATE = 50;
const FLOOD_CONNECTIONS = 50;

/** An account with SCIM on and one token, through the admin API. */
async function scimAccount(service, name) {
  const admin = (path, body) => call(`${service.url}/admin/accounts${path}`, { method: 'POST', token: service.operatorKey, body });
  const created = await admin('', { name });
  if (created.status !== 201) throw new Error(`creating account ${name} answered ${created.status}`);
  const { accountId } = created.body;
  await admin(`/${accountId}/scim/enable`, {});
  const token = await admin(`/${accountId}/scim/tokens`, { validForDays: 1, label: 'bench' });
  return { accountId, token: token.body.token, basePath: `/scim/v2/${accountId}` };
}

/**
 * @param ctx { work, operatorKey, runs, duration, loadRun(url, spec) → summary, log, row, fail }
 */
async function fairnessScenario(ctx) {
  const dataDir = join(ctx.work, 'fairness');
  mkdirSync(dataDir);
  const service = await startService({ dataDir, operatorKey: ctx.operatorKey, env: { RATE_LIMITS: 'on' } });
  try {
    await waitUntil(service, async () => (await call(`${service.url}/scim/v2/x/ServiceProviderConfig`)).status === 200);
    const a = await scimAccount(service, 'Flooder');
    const b = await scimAccount(service, 'Neighbour');
    const bLoad = {
      kind: 'static',
      path: `${b.basePath}/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`,
      headers: { authorization: `Bearer ${b.token}` },
      connections: B_CONNECTIONS,
      overallRate: B_RATE,
      duration: ctx.duration,
      pid: service.pid,
    };
    // Longer than B's run, which starts once the flood is under way (a load process takes a moment to start).
    const flood = { kind: 'static', path: `${a.basePath}/Users`, headers: { authorization: `Bearer ${a.token}` }, connections: FLOOD_CONNECTIONS, duration: ctx.duration + 4 };
    const floodAlone = { ...flood, duration: ctx.duration, pid: service.pid };
    await ctx.loadRun(service.url, { ...bLoad, duration: 2 });

    const runs = [];
    for (let run = 0; run < ctx.runs; run++) {
      const idle = await ctx.loadRun(service.url, bLoad);
      const floodRun = ctx.loadRun(service.url, flood);
      // B starts once A's flood is under way.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const during = await ctx.loadRun(service.url, bLoad);
      const flooded = await floodRun;
      for (const [label, result] of [['B idle', idle], ['B during the flood', during]]) {
        if (result.completed === 0 || result.non2xx + result.errors + result.timeouts > 0) ctx.fail(`fairness, ${label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
      }
      const ratio = during.latencyMs.p99 / Math.max(1, idle.latencyMs.p99);
      ctx.log(
        `  fairness run ${run + 1}: B p99 ${idle.latencyMs.p99} ms idle, ${during.latencyMs.p99} ms while A floods (× ${ratio.toFixed(2)});` +
          ` A sent ${Math.round(flooded.requestsPerSecond)} req/s, ${flooded.ok} admitted, ${flooded.non2xx} refused`,
      );
      runs.push({ idle, during, flooded, ratio });
    }
    // What a refusal costs: the fairness ratio depends on it, whatever else loads the machine.
    const alone = await ctx.loadRun(service.url, floodAlone);
    const refusedShare = alone.non2xx / Math.max(1, alone.completed);
    ctx.log(`  A's flood alone: ${Math.round(alone.requestsPerSecond)} req/s, ${(100 * refusedShare).toFixed(0)} % refused 429, ${alone.cpuMicrosPerRequest ?? '?'} µs CPU per request`);
    ctx.row({
      key: 'fairness-flood-cost',
      scenario: `  reference: A's flood alone (${FLOOD_CONNECTIONS} conn.), CPU per request (${(100 * refusedShare).toFixed(0)} % refused 429)`,
      figure: `${alone.cpuMicrosPerRequest ?? '?'} µs`,
      ceiling: `${Math.round(alone.requestsPerSecond)} req/s`,
      target: '(information)',
      details: alone,
    });
    const ratio = median(runs.map((run) => run.ratio));
    const idleP99 = median(runs.map((run) => run.idle.latencyMs.p99));
    const duringP99 = median(runs.map((run) => run.during.latencyMs.p99));
    ctx.row({
      key: 'fairness-p99',
      scenario: `fairness: B's p99 (${B_RATE} req/s) while A floods (${FLOOD_CONNECTIONS} conn.), vs idle`,
      figure: `${duringP99} ms`,
      ceiling: `${idleP99} ms idle`,
      ratio,
      target: '≤ 2 × idle p99',
      pass: ratio <= 2,
      details: runs.map(({ idle, during, flooded, ratio: runRatio }) => ({
        idle: idle.latencyMs,
        during: during.latencyMs,
        ratio: runRatio,
        flood: { requestsPerSecond: flooded.requestsPerSecond, admitted: flooded.ok, refused: flooded.non2xx },
      })),
    });
  } finally {
    await stopNode(service);
  }
}

module.exports = { fairnessScenario };
