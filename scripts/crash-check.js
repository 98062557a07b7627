#!/usr/bin/env node
// `npm run crash-check [-- --rounds N]`: kill -9 under load, then prove nothing acknowledged was lost.
//
// Each round starts the built service on one data folder, sends creates, profile PATCHes and
// group membership PATCHes from concurrent clients, kills the process with SIGKILL at a random
// moment, restarts it and checks that every write answered 2xx before the kill is there. After the
// last round, `cli verify` (hash chains and seals) and `cli rebuild` (read models equal a replay)
// must pass. Exit 1 on the first lost write or failed check. Figures go to docs/RELIABILITY.md.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startService, stopNode, waitUntil } = require('../bench/lib/processes');
const { ROOT } = require('../bench/lib/dist');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CLIENTS = 16;

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 10);
const operatorKey = 'crash-check-operator-key-0123456789';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-crash-'));
  const acknowledged = { users: new Map(), members: new Set() };
  let setup;
  let requests = 0;
  for (let round = 1; round <= rounds; round++) {
    const service = await up(dataDir);
    setup ??= await createAccount(service);
    await verifyAcknowledged(service, setup, acknowledged, round);
    const killAfterMs = 300 + Math.floor(Math.random() * 2500);
    let killed = false;
    const load = Array.from({ length: CLIENTS }, (_, client) => drive(service, setup, acknowledged, `r${round}c${client}`, () => killed, () => requests++));
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    killed = true;
    service.child.kill('SIGKILL');
    await service.exited;
    await Promise.all(load);
    console.log(`round ${round}: killed after ${killAfterMs} ms; acknowledged so far ${acknowledged.users.size} users, ${acknowledged.members.size} memberships`);
  }
  const last = await up(dataDir);
  await verifyAcknowledged(last, setup, acknowledged, 'final');
  await stopNode(last);
  const cli = (args) => execFileSync(process.execPath, ['dist/apps/cli/src/main.js', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  const verified = cli(['verify']).trim().split('\n').pop();
  const rebuilt = cli(['rebuild']).trim().split('\n').pop();
  console.log(JSON.stringify({ rounds, requests, acknowledgedUsers: acknowledged.users.size, acknowledgedMemberships: acknowledged.members.size, lost: 0, verify: verified, rebuild: rebuilt }));
  rmSync(dataDir, { recursive: true, force: true });
}

async function up(dataDir) {
  const service = await startService({ dataDir, operatorKey, env: { RATE_LIMITS: 'off', LOG_LEVEL: 'warn' } });
  await waitUntil(service, async () => (await fetch(`${service.url}/health`)).ok);
  return service;
}

async function call(service, method, path, body, token = operatorKey) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function createAccount(service) {
  const account = (await call(service, 'POST', '/admin/accounts', { name: 'Crash check' })).body;
  await call(service, 'POST', `/admin/accounts/${account.accountId}/scim/enable`);
  const token = (await call(service, 'POST', `/admin/accounts/${account.accountId}/scim/tokens`, { validForDays: 30 })).body.token;
  const base = `/scim/v2/${account.accountId}`;
  const group = (await call(service, 'POST', `${base}/Groups`, { schemas: [GROUP], displayName: 'Crash testers' }, token)).body;
  return { base, token, groupId: group.id };
}

/** One IdP client: create a user, change its title, add it to the group; again until the kill. */
async function drive(service, { base, token, groupId }, acknowledged, prefix, isKilled, count) {
  for (let n = 0; !isKilled(); n++) {
    try {
      count();
      const created = await call(service, 'POST', `${base}/Users`, { schemas: [USER], userName: `${prefix}-${n}@crash.example`, title: 'created' }, token);
      if (created.status !== 201) throw new Error(`create answered ${created.status}`);
      acknowledged.users.set(created.body.id, 'created');
      // Sent but unanswered at the kill, the change may or may not have been made: both are right.
      acknowledged.users.set(created.body.id, 'created or patched');
      count();
      const patched = await call(service, 'PATCH', `${base}/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'patched' }] }, token);
      if (patched.status !== 200) throw new Error(`PATCH answered ${patched.status}`);
      acknowledged.users.set(created.body.id, 'patched');
      count();
      const added = await call(service, 'PATCH', `${base}/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: created.body.id }] }] }, token);
      if (added.status !== 204 && added.status !== 200) throw new Error(`group PATCH answered ${added.status}`);
      acknowledged.members.add(created.body.id);
    } catch (error) {
      if (isKilled()) return; // the connection died with the process: not acknowledged
      throw error;
    }
  }
}

async function verifyAcknowledged(service, { base, token, groupId }, acknowledged, round) {
  for (const [id, state] of acknowledged.users) {
    const user = await call(service, 'GET', `${base}/Users/${id}`, undefined, token);
    if (user.status !== 200 || !state.split(' or ').includes(user.body.title)) throw new Error(`round ${round}: acknowledged user ${id} (${state}) answered ${user.status} ${JSON.stringify(user.body?.title)}`);
  }
  const group = await call(service, 'GET', `${base}/Groups/${groupId}`, undefined, token);
  const members = new Set((group.body.members ?? []).map((member) => member.value));
  for (const id of acknowledged.members) if (!members.has(id)) throw new Error(`round ${round}: acknowledged member ${id} is missing`);
}

main().catch((error) => {
  console.error(`crash check FAILED: ${error.message}`);
  process.exit(1);
});
