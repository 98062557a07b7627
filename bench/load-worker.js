'use strict';
// The load generator, always in its own process (the service and the ceiling app run in others):
// one autocannon run, described by a JSON argument, printed back as one JSON line.
//
//   node bench/load-worker.js '{"url":"http://127.0.0.1:8080","connections":50,"duration":5,"kind":"static","path":"/ping"}'
//
// Kinds make each request different where the scenario needs it (new userNames, random filters).
const autocannon = require('autocannon');
const { readFileSync } = require('node:fs');
const { GROUP_SCHEMA, PATCH_OP, oktaUserBody, userName } = require('./lib/fixtures');

const readIds = (file) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

function requestsFor(spec) {
  const json = { 'content-type': 'application/scim+json', ...(spec.headers ?? {}) };
  switch (spec.kind) {
    case 'static':
      return {
        method: spec.method ?? 'GET',
        headers: spec.body === undefined ? spec.headers ?? {} : json,
        path: spec.path,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        check: undefined,
      };
    case 'create-users': {
      // Every request a userName no run used before: each is a real create, never a 409.
      let next = 0;
      return {
        method: 'POST',
        headers: json,
        path: spec.path,
        setup: (request) => ({ ...request, body: JSON.stringify(oktaUserBody(spec.prefix, next++)) }),
        check: (status) => status === 201,
      };
    }
    case 'filter-users': {
      // Okta's existence check: userName eq "…" with startIndex/count, on a random stored user.
      return {
        method: 'GET',
        headers: spec.headers ?? {},
        path: spec.path,
        setup: (request) => {
          const filter = encodeURIComponent(`userName eq "${userName(spec.prefix, Math.floor(Math.random() * spec.users))}"`);
          return { ...request, path: `${spec.path}?filter=${filter}&startIndex=1&count=100` };
        },
        // Exactly one match: the lookup found the user it was asked for.
        check: (status, body) => status === 200 && body.includes('"totalResults":1,'),
      };
    }
    case 'page-users': {
      // An import paging through everything with count=100, pages spread over the whole list.
      const pages = Math.max(1, Math.floor(spec.users / 100));
      let page = Math.floor(Math.random() * pages);
      return {
        method: 'GET',
        headers: spec.headers ?? {},
        path: spec.path,
        setup: (request) => {
          page = (page + 1) % pages;
          return { ...request, path: `${spec.path}?startIndex=${page * 100 + 1}&count=100` };
        },
        check: (status, body) => status === 200 && body.includes('"itemsPerPage":100'),
      };
    }
    case 'group-members': {
      // Concurrent membership PATCHes on one group, each adding its own slice of members.
      const ids = readIds(spec.idsFile);
      let next = 0;
      return {
        method: 'PATCH',
        headers: json,
        path: spec.path,
        setup: (request) => {
          const slice = ids.slice(next * spec.perRequest, (next + 1) * spec.perRequest);
          next++;
          const value = slice.map((id) => ({ value: id }));
          return { ...request, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value }] }) };
        },
        check: (status) => status === 200 || status === 204,
      };
    }
    case 'create-groups': {
      // Okta "Push Groups": a group with a few members per request.
      const ids = readIds(spec.idsFile);
      let next = 0;
      return {
        method: 'POST',
        headers: json,
        path: spec.path,
        setup: (request) => {
          const n = next++;
          const members = ids.slice((n * spec.membersPerGroup) % ids.length).slice(0, spec.membersPerGroup).map((id) => ({ value: id }));
          return { ...request, body: JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: `${spec.prefix} ${n}`, members }) };
        },
        check: (status) => status === 201,
      };
    }
    default:
      throw new Error(`unknown load kind ${spec.kind}`);
  }
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const { method, headers, path, body, setup, check } = requestsFor(spec);
  let failedChecks = 0;
  let firstFailure;
  const request = { method, headers, path, body };
  if (setup) request.setupRequest = setup;
  if (check) {
    request.onResponse = (status, responseBody) => {
      if (!check(status, responseBody ?? '')) {
        failedChecks++;
        firstFailure ??= `${status} ${String(responseBody).slice(0, 300)}`;
      }
    };
  }
  const started = performance.now();
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration }),
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    timeout: spec.timeout ?? 30,
    requests: [request],
  });
  // autocannon's own duration counts whole seconds of its ticker: a burst of 50 requests lasts "1 s".
  const wallSeconds = (performance.now() - started) / 1000;
  const total = result['2xx'] + result.non2xx;
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSecond: total / result.duration,
      completed: total,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      failedChecks,
      firstFailure,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      seconds: result.duration,
      wallSeconds,
    })}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
