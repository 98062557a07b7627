'use strict';
// Group scenarios (issue 7): a 10,000-member PATCH with roles mapped, and 50 concurrent membership
// PATCHes on one group. They run once SCIM /Groups is served; until then they are skipped with
// the reason printed. Grant visibility also needs the admin API for role mappings and effective
// roles (see lib/groups-api.js).
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { call } = require('./lib/http');
const { GROUP_SCHEMA, PATCH_OP } = require('./lib/fixtures');
const { probeGroups, discoverRoles } = require('./lib/groups-api');
const { median } = require('./lib/stats');

const VISIBLE_TIMEOUT_MS = 60_000;

/**
 * @param ctx { service, account, userIds, runs, loadRun(spec) → summary, fail(message), note(message) }
 * Resolves { skipped?: reason, bigPatch?, concurrent?, roles? }.
 */
async function groupScenarios(ctx) {
  const { service, account } = ctx;
  const groups = await probeGroups(service, account);
  if (!groups.available) return { skipped: groups.reason };
  const roles = await discoverRoles(service, account).catch((error) => ({ available: false, reason: error.message }));
  if (!roles.available) ctx.note(`group→role grants not measured: ${roles.reason}`);

  const bigPatch = await bigMembershipPatch(ctx, roles);
  const concurrent = await concurrentPatches(ctx);
  return { bigPatch, concurrent, roles: roles.available ? roles.describe : `not measured: ${roles.reason}` };
}

async function createGroup(ctx, displayName) {
  const { service, account } = ctx;
  const response = await call(`${service.url}${account.basePath}/Groups`, {
    method: 'POST',
    token: account.token,
    body: { schemas: [GROUP_SCHEMA], displayName },
  });
  if (response.status !== 201) throw new Error(`POST /Groups answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.id;
}

/** Members of a group as the SCIM API lists them. */
async function memberIds(ctx, groupId) {
  const { service, account } = ctx;
  const response = await call(`${service.url}${account.basePath}/Groups/${groupId}`, { token: account.token });
  if (response.status !== 200) throw new Error(`GET /Groups/${groupId} answered ${response.status}`);
  return new Set((response.body.members ?? []).map((member) => member.value));
}

/** PATCH add 10,000 members in one request; time to the response and until every grant is visible. */
async function bigMembershipPatch(ctx, roles) {
  const { service, account } = ctx;
  const size = Math.min(10_000, Math.floor(ctx.userIds.length / ctx.runs));
  const results = [];
  for (let run = 0; run < ctx.runs; run++) {
    const groupId = await createGroup(ctx, `bench big ${run} ${Date.now()}`);
    const role = `bench-role-${run}-${Date.now()}`;
    if (roles.available) {
      await roles.ensureRole(role);
      await roles.mapRoles(groupId, [role]);
      // The first count loads the role index (once per process, ~0.3 s with 100,000 users): not the grants' time.
      if ((await roles.holders(role)) !== 0) ctx.fail(`role ${role} has holders before its group has members`);
    }
    const members = ctx.userIds.slice(run * size, (run + 1) * size);
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }] };
    const started = performance.now();
    const response = await call(`${service.url}${account.basePath}/Groups/${groupId}`, { method: 'PATCH', token: account.token, body });
    const responseMs = performance.now() - started;
    if (response.status !== 200 && response.status !== 204) {
      ctx.fail(`PATCH add ${size} members answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
      return { size, error: `status ${response.status}` };
    }
    let visibleMs;
    if (roles.available) visibleMs = await untilGranted(ctx, roles, members, role, started);
    const listed = await memberIds(ctx, groupId);
    const lost = members.filter((id) => !listed.has(id)).length;
    if (lost > 0) ctx.fail(`PATCH add ${size} members: ${lost} members missing from GET /Groups/${groupId}`);
    results.push({ responseMs, visibleMs, lost });
  }
  return {
    size,
    responseMs: median(results.map((result) => result.responseMs)),
    visibleMs: roles.available ? median(results.map((result) => result.visibleMs)) : undefined,
    runs: results,
  };
}

/**
 * Polls a sample (the last member and 19 others) until all hold the role, then checks every member
 * once; members still without it are polled until they have it. Milliseconds since `started`.
 */
async function untilGranted(ctx, roles, members, role, started) {
  const deadline = started + VISIBLE_TIMEOUT_MS;
  // One request per poll: the holders of the role, counted through an index. Asking every member,
  // or a sample of 20 every 20 ms, took a quarter of the service's CPU from the work measured.
  let visibleMs;
  for (;;) {
    // The role is new to this run: only the members can hold it.
    if ((await roles.holders(role)) >= members.length) {
      visibleMs = performance.now() - started;
      break;
    }
    if (performance.now() > deadline) {
      ctx.fail(`members still without role ${role} ${VISIBLE_TIMEOUT_MS / 1000} s after the PATCH`);
      return NaN;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Then each member's own effective roles, untimed: the count must be these members.
  const missing = (await inBatches(members, 50, async (id) => ((await roles.hasRole(id, role)) ? undefined : id))).filter(Boolean);
  if (missing.length > 0) ctx.fail(`${missing.length} of the members counted as holders of ${role} do not show it`);
  return visibleMs;
}

async function inBatches(items, width, fn) {
  const results = [];
  for (let start = 0; start < items.length; start += width) {
    results.push(...(await Promise.all(items.slice(start, start + width).map(fn))));
  }
  return results;
}

/** 50 concurrent PATCHes adding distinct members to one group: every member must be there after. */
async function concurrentPatches(ctx) {
  const perRequest = 20;
  const requests = 50;
  const offset = Math.min(ctx.userIds.length - requests * perRequest * ctx.runs, 30_000);
  const results = [];
  for (let run = 0; run < ctx.runs; run++) {
    const groupId = await createGroup(ctx, `bench concurrent ${run} ${Date.now()}`);
    const ids = ctx.userIds.slice(offset + run * requests * perRequest, offset + (run + 1) * requests * perRequest);
    const idsFile = join(ctx.service.dataDir, `bench-concurrent-${run}.txt`);
    writeFileSync(idsFile, ids.join('\n'));
    const summary = await ctx.loadRun({
      kind: 'group-members',
      path: `${ctx.account.basePath}/Groups/${groupId}`,
      idsFile,
      perRequest,
      connections: requests,
      amount: requests,
    });
    const listed = await memberIds(ctx, groupId);
    const lost = ids.filter((id) => !listed.has(id)).length;
    if (lost > 0) ctx.fail(`50 concurrent PATCHes: ${lost} of ${ids.length} members lost`);
    if (summary.non2xx + summary.errors + summary.timeouts > 0) {
      ctx.fail(`50 concurrent PATCHes: ${summary.non2xx} non-2xx, ${summary.errors} errors (${summary.firstFailure ?? ''})`);
    }
    // All requests start at once; the burst lasts until the slowest answers (autocannon's own
    // duration has a one-second granularity, too coarse for a burst of 50).
    const burstSeconds = Math.min(summary.wallSeconds, summary.latencyMs.max / 1000);
    results.push({
      patchesPerSecond: requests / burstSeconds,
      burstMs: Math.round(burstSeconds * 1000),
      p99: summary.latencyMs.p99,
      lost,
      non2xx: summary.non2xx,
    });
  }
  return {
    patchesPerSecond: median(results.map((result) => result.patchesPerSecond)),
    burstMs: median(results.map((result) => result.burstMs)),
    lost: results.reduce((sum, result) => sum + result.lost, 0),
    runs: results,
  };
}

/** 1,000 groups of 10 members each, pushed as Okta does, for the memory scenario. */
async function createManyGroups(ctx, count = 1000, membersPerGroup = 10) {
  const idsFile = join(ctx.service.dataDir, 'bench-group-members.txt');
  writeFileSync(idsFile, ctx.userIds.slice(0, 20_000).join('\n'));
  const summary = await ctx.loadRun({
    kind: 'create-groups',
    path: `${ctx.account.basePath}/Groups`,
    idsFile,
    membersPerGroup,
    prefix: `bench group ${Date.now()}`,
    connections: 20,
    amount: count,
  });
  if (summary.non2xx + summary.errors + summary.failedChecks > 0) {
    ctx.fail(`creating ${count} groups: ${summary.non2xx} non-2xx, ${summary.errors} errors (${summary.firstFailure ?? ''})`);
  }
  return summary;
}

module.exports = { groupScenarios, createManyGroups };
