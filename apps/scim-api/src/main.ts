import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataFolderInUseError } from '@scim/event-store';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { assertCanListen } from './config/listen-address';

async function main(): Promise<void> {
  // Everything this process creates (event log, read models, WAL files, keys) is its user's alone.
  process.umask(0o077);
  const config = loadConfig();
  await assertCanListen(config.port, config.host);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const url = config.publicUrl ?? `http://localhost:${config.port}`;
  const mode = config.storage.kind === 'embedded' ? `embedded mode, data in ${config.dataDir}` : 'distributed mode';
  new Logger('Main').log(`SCIM service listening on ${url} (${mode}). Create an account and token: npm run --silent bootstrap`);
}

main().catch((error: unknown) => {
  // What an operator can fix is said in one line; anything else keeps its stack for a bug report.
  if (error instanceof ConfigError || error instanceof DataFolderInUseError) {
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
