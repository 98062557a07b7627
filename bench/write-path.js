'use strict';
// A reference for the POST scenario: the create's domain work without HTTP. The service's own
// application (createApp, as main.ts builds it; embedded mode in a fresh DATA_DIR) listens only
// for the bootstrap script; then creates go straight to its CommandBus, 50 in flight, as the
// controller hands them on: userName reservation, the user's stream, hash chain, group commits,
// projection and read-your-writes, the handler's normalisation. Prints the CPU time (user +
// system, of this process: V8's helper threads included) per create, after a warm-up.
//
//   node bench/write-path.js '{"dataDir":…,"operatorKey":…,"seconds":5,"warmup":3}'
require('reflect-metadata');
const { execFile } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { CommandBus } = require('@nestjs/cqrs');
const { DIST, ROOT } = require('./lib/dist');
const { oktaUserBody } = require('./lib/fixtures');

const IN_FLIGHT = 50;

async function main() {
  const { dataDir, operatorKey, seconds, warmup } = JSON.parse(process.argv[2]);
  const { loadConfig } = require(join(DIST, 'apps', 'scim-api', 'src', 'config', 'app-config'));
  const { createApp } = require(join(DIST, 'apps', 'scim-api', 'src', 'app.factory'));
  const { CreateUserCommand } = require(join(DIST, 'apps', 'scim-api', 'src', 'users', 'create-user', 'create-user.command'));

  const app = await createApp(loadConfig({ ...process.env, DATA_DIR: dataDir, OPERATOR_KEY: operatorKey, PORT: '0' }), false);
  await app.listen(0, '127.0.0.1');
  const serviceUrl = await app.getUrl();
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'bootstrap.js')], {
    env: { ...process.env, SERVICE_URL: serviceUrl, OPERATOR_KEY: operatorKey, ACCOUNT_NAME: 'Write path' },
  });
  const { accountId, tokenId } = JSON.parse(stdout);
  const commandBus = app.get(CommandBus);

  const createFor = (prefix) => (i) =>
    commandBus.execute(
      new CreateUserCommand(
        { accountId, actor: { kind: 'scim-token', tokenId }, requestId: randomUUID(), at: new Date().toISOString() },
        oktaUserBody(prefix, i),
      ),
    );
  await createFor('warm').call(undefined, 0);
  await createsFor(createFor('warm'), warmup, 1);
  const cpuBefore = process.cpuUsage();
  const { creates, wallSeconds } = await createsFor(createFor('measured'), seconds);
  const cpu = process.cpuUsage(cpuBefore);
  await app.close();
  process.stdout.write(
    `${JSON.stringify({ creates, wallSeconds, createsPerSecond: creates / wallSeconds, cpuMicrosPerCreate: (cpu.user + cpu.system) / creates })}\n`,
  );
}

/** Runs creates, IN_FLIGHT at a time, for `seconds`; resolves with how many completed. */
async function createsFor(create, seconds, first = 0) {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let next = first;
  let creates = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await create(next++);
      creates++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { creates, wallSeconds: (performance.now() - started) / 1000 };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
