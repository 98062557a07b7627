'use strict';
// A reference for the read scenarios: a users query's domain work without HTTP. The service's own
// application (embedded mode) opens a copy of the seeded DATA_DIR; then the list bodies the
// controller sends (listResponseBody: query, store reads, the ListResponse in UTF-8) are built 50
// in flight, for the requests the load generator sends: Okta's `userName eq` lookups of random
// users, then pages of 100 over all of them. Prints the CPU time per request of each (medians of
// the runs, each kind after its own warm-up).
//
//   node bench/read-path.js '{"dataDir":…,"operatorKey":…,"accountId":…,"kinds":["filter","paged"],"users":100000,"prefix":"user","seconds":3,"warmup":3,"runs":3}'
const { join } = require('node:path');
const { QueryBus } = require('@nestjs/cqrs');
const { userName } = require('./lib/fixtures');
const { DIST } = require('./lib/dist');
const { startApp, cpuPerCall } = require('./lib/in-process');

async function main() {
  const { dataDir, operatorKey, accountId, kinds, users, prefix, seconds, warmup, runs } = JSON.parse(process.argv[2]);
  const { listResponseBody } = require(join(DIST, 'apps', 'scim-api', 'src', 'users', 'list-users', 'list-users.controller'));
  const app = await startApp(dataDir, operatorKey);
  const queryBus = app.get(QueryBus);
  const baseUrl = `http://127.0.0.1:8080/scim/v2/${accountId}`;
  const pages = Math.max(1, Math.floor(users / 100));
  let page = Math.floor(Math.random() * pages);
  const requests = {
    filter: { params: () => ({ filter: `userName eq "${userName(prefix, Math.floor(Math.random() * users))}"`, startIndex: 1, count: 100 }), answered: '"totalResults":1,' },
    paged: { params: () => ({ startIndex: (page = (page + 1) % pages) * 100 + 1, count: 100 }), answered: '"itemsPerPage":100' },
  };
  const measured = {};
  for (const kind of kinds) {
    const { params, answered } = requests[kind];
    const respond = async () => {
      const body = await listResponseBody(queryBus, baseUrl, accountId, params());
      if (!body.toString('latin1', 0, 300).includes(answered)) throw new Error(`unexpected answer: ${body.toString('utf8', 0, 300)}`);
    };
    measured[kind] = await cpuPerCall(respond, { seconds, warmup, runs });
  }
  await app.close();
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
