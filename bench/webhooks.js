'use strict';
// Webhook scenarios (issue 17): how soon a receiver on this machine hears of a SCIM create
// (p50/p99 from the request to the signed delivery), and how long 10,000 role changes take to
// reach it after one PATCH adds 10,000 members to a group mapped to a role. The receiver verifies
// every signature with the `standardwebhooks` package, as an application would.
const { createServer } = require('node:http');
const { Webhook } = require('standardwebhooks');
const { call } = require('./lib/http');
const { GROUP_SCHEMA, PATCH_OP, oktaUserBody } = require('./lib/fixtures');
const { median } = require('./lib/stats');

const SINGLE_CREATES = 200;
const MEMBERS = 10_000;
const CREATE_CONCURRENCY = 50;
const DELIVERY_TIMEOUT_MS = 600_000;

/** A receiver that verifies and counts messages, and resolves waiters when a predicate holds. */
function startReceiver(port) {
  const state = { verifier: undefined, received: 0, invalid: 0, arrivals: new Map(), roleChanges: 0, waiters: [] };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const at = performance.now();
      try {
        state.verifier.verify(body, request.headers);
      } catch {
        state.invalid += 1;
      }
      const event = JSON.parse(body);
      state.received += 1;
      if (event.type === 'user.created') state.arrivals.set(event.data.user.id, at);
      if (event.type === 'user.roles_changed') state.roleChanges += 1;
      response.writeHead(204).end();
      state.waiters = state.waiters.filter((waiter) => !waiter());
    });
  });
  const until = (predicate) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('deliveries did not arrive in time')), DELIVERY_TIMEOUT_MS);
      const check = () => {
        if (!predicate()) return false;
        clearTimeout(timer);
        resolve(performance.now());
        return true;
      };
      if (!check()) state.waiters.push(check);
    });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ state, until, url: `http://127.0.0.1:${port}/hooks`, close: () => new Promise((r) => server.close(r)) })));
}

/**
 * @param ctx { service (started with WEBHOOKS_ALLOW_PRIVATE_TARGETS=true), account, receiverPort, note(message) }
 * Resolves { createLatencyMs: { p50, p99, max }, bigPatch: { members, patchMs, lastDeliveryMs, deliveriesPerSecond }, invalidSignatures }.
 */
async function webhookScenarios(ctx) {
  const { service, account } = ctx;
  const operator = (method, path, body) => call(`${service.url}/admin/accounts/${account.accountId}${path}`, { method, token: service.operatorKey, body });
  const receiver = await startReceiver(ctx.receiverPort);
  try {
    const endpoint = await operator('POST', '/webhooks', { url: receiver.url, description: 'bench' });
    if (endpoint.status !== 201) throw new Error(`registering the webhook answered ${endpoint.status}: ${JSON.stringify(endpoint.body)}`);
    receiver.state.verifier = new Webhook(endpoint.body.secret);

    // One create at a time: the time from sending it to its delivery, nothing else in flight.
    const latencies = [];
    for (let i = 0; i < SINGLE_CREATES; i++) {
      const started = performance.now();
      const created = await call(`${service.url}${account.basePath}/Users`, { method: 'POST', token: account.token, body: oktaUserBody('hook', i) });
      if (created.status !== 201) throw new Error(`POST /Users answered ${created.status}`);
      const id = created.body.id;
      const arrived = await receiver.until(() => receiver.state.arrivals.has(id));
      latencies.push(arrived - started);
    }
    latencies.sort((a, b) => a - b);
    const createLatencyMs = { p50: round(median(latencies)), p99: round(latencies[Math.floor(latencies.length * 0.99) - 1]), max: round(latencies.at(-1)) };

    const userIds = await createUsers(service, account, MEMBERS);
    await receiver.until(() => receiver.state.arrivals.size >= SINGLE_CREATES + MEMBERS);

    const role = `bench-hooks-${Date.now()}`;
    await expectStatus(operator('POST', '/roles', { role }), 201, 'defining the role');
    const group = await call(`${service.url}${account.basePath}/Groups`, { method: 'POST', token: account.token, body: { schemas: [GROUP_SCHEMA], displayName: role } });
    if (group.status !== 201) throw new Error(`POST /Groups answered ${group.status}`);
    await expectStatus(operator('PUT', `/groups/${group.body.id}/roles`, { roles: [role] }), 200, 'mapping the role');
    const rolesBefore = receiver.state.roleChanges;
    const started = performance.now();
    const patch = await call(`${service.url}${account.basePath}/Groups/${group.body.id}`, {
      method: 'PATCH',
      token: account.token,
      body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) }] },
    });
    if (patch.status !== 204 && patch.status !== 200) throw new Error(`PATCH /Groups answered ${patch.status}`);
    const patchMs = performance.now() - started;
    const last = await receiver.until(() => receiver.state.roleChanges - rolesBefore >= MEMBERS);
    const lastDeliveryMs = last - started;
    return {
      createLatencyMs,
      bigPatch: { members: MEMBERS, patchMs: round(patchMs), lastDeliveryMs: round(lastDeliveryMs), deliveriesPerSecond: Math.round((MEMBERS / lastDeliveryMs) * 1000) },
      delivered: receiver.state.received,
      invalidSignatures: receiver.state.invalid,
    };
  } finally {
    await receiver.close();
  }
}

async function createUsers(service, account, count) {
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const created = await call(`${service.url}${account.basePath}/Users`, { method: 'POST', token: account.token, body: oktaUserBody('member', i) });
      if (created.status !== 201) throw new Error(`POST /Users answered ${created.status}`);
      ids[i] = created.body.id;
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  return ids;
}

async function expectStatus(pending, status, what) {
  const response = await pending;
  if (response.status !== status) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
}

const round = (ms) => Math.round(ms * 10) / 10;

module.exports = { webhookScenarios };
