import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const url = config.publicUrl ?? `http://localhost:${config.port}`;
  const mode = config.storage.kind === 'embedded' ? `embedded mode, data in ${config.dataDir}` : 'distributed mode';
  new Logger('Main').log(`SCIM service listening on ${url} (${mode}). Create an account and token: npm run --silent bootstrap`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
