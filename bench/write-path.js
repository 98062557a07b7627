'use strict';
// A reference for the POST scenario: the create's domain work without HTTP. The service's own
// application (embedded mode, a fresh DATA_DIR) listens only for the bootstrap script; then creates
// go straight to its CommandBus, 50 in flight, as the controller hands them on: userName
// reservation, the user's stream, hash chain, group commits, projection and read-your-writes, the
// handler's normalisation. Prints the CPU time per create (median of the runs) after a warm-up.
//
//   node bench/write-path.js '{"dataDir":…,"operatorKey":…,"seconds":5,"warmup":3,"runs":3}'
const { execFile } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { CommandBus } = require('@nestjs/cqrs');
const { DIST, ROOT } = require('./lib/dist');
const { oktaUserBody } = require('./lib/fixtures');
const { startApp, cpuPerCall } = require('./lib/in-process');

async function main() {
  const { dataDir, operatorKey, seconds, warmup, runs } = JSON.parse(process.argv[2]);
  const { CreateUserCommand } = require(join(DIST, 'apps', 'scim-api', 'src', 'users', 'create-user', 'create-user.command'));
  const app = await startApp(dataDir, operatorKey, { listen: true });
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'bootstrap.js')], {
    env: { ...process.env, SERVICE_URL: await app.getUrl(), OPERATOR_KEY: operatorKey, ACCOUNT_NAME: 'Write path' },
  });
  const { accountId, tokenId } = JSON.parse(stdout);
  const commandBus = app.get(CommandBus);
  let next = 0;
  const create = () =>
    commandBus.execute(
      new CreateUserCommand(
        { accountId, actor: { kind: 'scim-token', tokenId }, requestId: randomUUID(), at: new Date().toISOString() },
        oktaUserBody('write-path', next++),
      ),
    );
  const measured = await cpuPerCall(create, { seconds, warmup, runs });
  await app.close();
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
