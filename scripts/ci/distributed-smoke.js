#!/usr/bin/env node
// Smoke test of a running deployment through HTTP: read-your-writes across API replicas (each
// write goes to WRITE_URL and is read back at once from READ_URL) and, when PROJECTOR_URL is set,
// the projector's /health and /lag. Used by the distributed CI job; works against any deployment
// (docker compose, or `npm start` in embedded mode with WRITE_URL = READ_URL).
//
// Environment: WRITE_URL (default http://localhost:8080), READ_URL (default WRITE_URL),
// OPERATOR_KEY (as for npm run bootstrap), PROJECTOR_URL (optional), ROUNDS (default 20).
'use strict';
const { execFileSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const writeUrl = (process.env.WRITE_URL || 'http://localhost:8080').replace(/\/+$/, '');
const readUrl = (process.env.READ_URL || writeUrl).replace(/\/+$/, '');
const projectorUrl = process.env.PROJECTOR_URL ? process.env.PROJECTOR_URL.replace(/\/+$/, '') : undefined;
const rounds = Number(process.env.ROUNDS || 20);

let passed = 0;
let failed = 0;

function check(description, condition, detail) {
  if (condition) {
    passed += 1;
  } else {
    failed += 1;
    process.stdout.write(`FAILED: ${description}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}\n`);
  }
}

async function main() {
  const bootstrap = JSON.parse(
    execFileSync(process.execPath, [join(__dirname, '..', 'bootstrap.js')], {
      env: { ...process.env, SERVICE_URL: writeUrl, ACCOUNT_NAME: `smoke ${new Date().toISOString()}` },
      encoding: 'utf8',
    }),
  );
  const basePath = new URL(bootstrap.scimBaseUrl).pathname.replace(/\/+$/, '');
  const scim = async (origin, method, path, body) => {
    const response = await fetch(`${origin}${basePath}${path}`, {
      method,
      headers: { authorization: `Bearer ${bootstrap.token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const filterByUserName = (userName) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

  for (let round = 0; round < rounds; round += 1) {
    const userName = `smoke-${randomUUID()}@example.com`;
    const created = await scim(writeUrl, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'Smoke', familyName: `Round ${round}` },
      emails: [{ value: userName, type: 'work', primary: true }],
      active: true,
    });
    check('POST /Users answers 201', created.status === 201, created);
    if (created.status !== 201) continue;
    const id = created.body.id;

    const found = await scim(readUrl, 'GET', filterByUserName(userName));
    check('a filter right after the create finds the user', found.status === 200 && found.body.totalResults === 1 && found.body.Resources[0].id === id, found);

    const deactivated = await scim(writeUrl, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    check('PATCH active=false answers 200', deactivated.status === 200, deactivated);
    const read = await scim(readUrl, 'GET', `/Users/${id}`);
    check('a GET right after the PATCH sees it', read.status === 200 && read.body.active === false, read);

    const deleted = await scim(writeUrl, 'DELETE', `/Users/${id}`);
    check('DELETE answers 204', deleted.status === 204, deleted);
    const gone = await scim(readUrl, 'GET', `/Users/${id}`);
    check('a GET right after the DELETE answers 404', gone.status === 404, gone);
  }

  for (const origin of new Set([writeUrl, readUrl])) {
    const health = await fetch(`${origin}/health`);
    check(`${origin}/health answers 200`, health.status === 200, await health.text());
  }
  if (projectorUrl) {
    const health = await fetch(`${projectorUrl}/health`);
    check('projector /health answers 200', health.status === 200, await health.text());
    // Nothing is written any more: every projection must report itself caught up with the head.
    let lag;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      lag = await (await fetch(`${projectorUrl}/lag`)).json();
      if (Object.values(lag.projections).every((projection) => projection.caughtUp)) break;
    }
    check('projector /lag reports every projection caught up', Object.values(lag.projections).every((projection) => projection.caughtUp), lag);
  }

  process.stdout.write(`smoke: ${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`smoke failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
