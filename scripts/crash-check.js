#!/usr/bin/env node
// `npm run crash-check [-- --rounds N]`: kill -9 under load, then prove nothing acknowledged was lost.
//
// Each round starts the built service on one data folder, sends creates, profile PATCHes and
// group membership PATCHes from concurrent clients, kills the process with SIGKILL at a random
// moment, restarts it and checks that every write answered 2xx before the kill is there. A webhook
// endpoint on a local receiver is registered first: after the last round every public event since
// its registration must have arrived (at least once, first arrivals in the log's order), kills
// mid-delivery included. Then `cli verify` (hash chains and seals) and `cli rebuild` (read models
// equal a replay) must pass. Exit 1 on the first lost write or event, or failed check. Figures go
// to docs/RELIABILITY.md.
'use strict';
const { execFileSync } = require('node:child_process');
const { createServer } = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startService, stopNode, waitUntil } = require('../bench/lib/processes');
const { ROOT } = require('../bench/lib/dist');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CLIENTS = 16;

// Without --rounds, indexOf's -1 would read argv[0] (node's path) as the count: no round at all.
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 10;
const operatorKey = 'crash-check-operator-key-0123456789';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-crash-'));
  const receiver = await startReceiver();
  const acknowledged = { users: new Map(), members: new Set() };
  let setup;
  let requests = 0;
  for (let round = 1; round <= rounds; round++) {
    const service = await up(dataDir);
    setup ??= await createAccount(service, receiver);
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
  const webhooks = await verifyDelivered(last, setup, receiver);
  await stopNode(last);
  receiver.server.close();
  const cli = (args) => execFileSync(process.execPath, ['dist/apps/cli/src/main.js', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  const verified = cli(['verify']).trim().split('\n').pop();
  const rebuilt = cli(['rebuild']).trim().split('\n').pop();
  console.log(JSON.stringify({ rounds, requests, acknowledgedUsers: acknowledged.users.size, acknowledgedMemberships: acknowledged.members.size, lost: 0, webhooks, verify: verified, rebuild: rebuilt }));
  rmSync(dataDir, { recursive: true, force: true });
}

async function up(dataDir) {
  const service = await startService({ dataDir, operatorKey, env: { RATE_LIMITS: 'off', LOG_LEVEL: 'warn', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
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

async function createAccount(service, receiver) {
  const account = (await call(service, 'POST', '/admin/accounts', { name: 'Crash check' })).body;
  const admin = `/admin/accounts/${account.accountId}`;
  await call(service, 'POST', `${admin}/scim/enable`);
  const token = (await call(service, 'POST', `${admin}/scim/tokens`, { validForDays: 30 })).body.token;
  // The endpoint is sent what happens after its registration: remember the events API's cursor then.
  const eventsKey = (await call(service, 'POST', `${admin}/events-keys`, { label: 'crash check' })).body.key;
  const events = { path: `/api/v1/accounts/${account.accountId}/events`, key: eventsKey };
  const since = (await publicEvents(service, events, '0')).cursor;
  const registered = await call(service, 'POST', `${admin}/webhooks`, { url: receiver.url });
  if (registered.status !== 201) throw new Error(`registering the webhook answered ${registered.status}`);
  const base = `/scim/v2/${account.accountId}`;
  const group = (await call(service, 'POST', `${base}/Groups`, { schemas: [GROUP], displayName: 'Crash testers' }, token)).body;
  return { base, token, groupId: group.id, events, since };
}

/** The account's public events after a cursor, and the cursor after them. */
async function publicEvents(service, events, after) {
  const ids = [];
  for (;;) {
    const page = await call(service, 'GET', `${events.path}?after=${after}&limit=500`, undefined, events.key);
    if (page.status !== 200) throw new Error(`events API answered ${page.status}`);
    ids.push(...page.body.events.map((event) => event.id));
    after = page.body.nextCursor;
    if (!page.body.hasMore) return { ids, cursor: after };
  }
}

/** A local webhook consumer: records each delivery's webhook-id and answers 204. */
function startReceiver() {
  const arrivals = [];
  const server = createServer((request, response) => {
    arrivals.push(String(request.headers['webhook-id']));
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, arrivals, url: `http://127.0.0.1:${server.address().port}/hooks` })));
}

/** Every public event since the registration arrived, first arrivals in the log's order. */
async function verifyDelivered(service, { events, since }, receiver) {
  const expected = (await publicEvents(service, events, since)).ids;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const first = [...new Set(receiver.arrivals)];
    if (first.length >= expected.length) {
      if (first.slice(0, expected.length).join() !== expected.join()) throw new Error('webhook deliveries arrived out of the log\'s order');
      return { events: expected.length, deliveries: receiver.arrivals.length, redelivered: receiver.arrivals.length - first.length };
    }
    if (Date.now() > deadline) throw new Error(`webhooks: ${first.length} of ${expected.length} events delivered after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
