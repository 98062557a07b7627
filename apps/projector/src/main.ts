import type { Server } from 'node:http';
import { personalDataPolicy } from '@scim/domain';
import { EsdbEventStore } from '@scim/event-store/esdb';
import { EncryptingEventStore } from '@scim/event-store/personal-data';
import { HashChainedEventStore } from '@scim/event-store/hash-chain';
import { CheckpointFreshness, createProcessManagers, createWriteModels, HmacNameHashing, type ProvisioningLogger } from '@scim/provisioning';
import type { RunnerLogger } from '@scim/read-models';
import { MongoReadStore, MongoSubjectKeyStore } from '@scim/read-models/mongo';
import { allProjections, distributedProjections, projectionCollections, readModelIndexes } from '@scim/read-models/projections';
import { createProjectorServer } from './http-server';
import { Projector } from './projector';
import { loadProjectorConfig, ProjectorConfigError } from './projector-config';

/** Longest a shutdown may take before the process exits anyway (compose grants 30 s). */
const SHUTDOWN_TIMEOUT_MS = 20_000;
/** How long a process manager's reaction waits for the read models to include the event it reacts to. */
const PROCESS_FRESHNESS_TIMEOUT_MS = 30_000;

const logger: RunnerLogger & ProvisioningLogger = {
  log: (message) => console.log(`${new Date().toISOString()} [Projector] ${message}`),
  warn: (message) => console.warn(`${new Date().toISOString()} [Projector] ${message}`),
  error: (message, error) => console.error(`${new Date().toISOString()} [Projector] ${message}`, error instanceof Error ? error.stack : (error ?? '')),
};

/** What has been opened so far, closed in reverse on shutdown. */
const opened: { eventStore?: EsdbEventStore; readStore?: MongoReadStore; keys?: MongoSubjectKeyStore; projector?: Projector; server?: Server } = {};
let shuttingDown = false;

async function main(): Promise<void> {
  const config = loadProjectorConfig();
  const projections = distributedProjections.filter((projection) => config.projections.includes(projection.name));

  opened.eventStore = EsdbEventStore.connect({ connectionString: config.eventStoreUrl });
  opened.readStore = await MongoReadStore.connect(config.mongoUrl, config.mongoDatabase);
  opened.keys = await MongoSubjectKeyStore.connect(config.mongoUrl, config.rootKey, config.mongoDatabase);
  if (shuttingDown) return;
  const keys = opened.keys;
  opened.projector = new Projector({
    // Projections read personal fields opened; an erased person's read as [erased].
    eventStore: new EncryptingEventStore(opened.eventStore, keys, personalDataPolicy),
    readStore: opened.readStore,
    projections,
    indexes: readModelIndexes,
    // Read models of another projection version are rebuilt into scratch collections and swapped in.
    rebuild: { space: opened.readStore, collectionsOf: (name) => projectionCollections.get(name) ?? [] },
    logger,
    lagLogIntervalMs: config.lagLogIntervalMs,
    processManagers: config.runProcessManagers ? processManagers(opened.eventStore, opened.readStore, keys, config.nameHashingKey) : [],
  });
  // Listening first: during a rebuild, /health answers 503 "starting" rather than nothing.
  const server = createProjectorServer(opened.projector, logger.error);
  opened.server = server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  await opened.projector.start();
  if (shuttingDown) return;
  logger.log(
    `Projecting ${projections.map((projection) => projection.name).join(', ')} into MongoDB database "${config.mongoDatabase}"; ` +
      `${config.runProcessManagers ? 'running the process managers; ' : ''}GET /health and /lag on port ${config.port}`,
  );
}

/** What the process managers write goes through the hash chain, personal fields sealed above it, as every API append does. */
function processManagers(eventStore: EsdbEventStore, readStore: MongoReadStore, keys: MongoSubjectKeyStore, nameHashingKey: string) {
  const stores = {
    eventStore: new EncryptingEventStore(new HashChainedEventStore(eventStore), keys, personalDataPolicy),
    readStore,
    freshness: new CheckpointFreshness(eventStore, readStore, allProjections, PROCESS_FRESHNESS_TIMEOUT_MS, logger),
    names: new HmacNameHashing(nameHashingKey),
    subjectKeys: keys,
  };
  return createProcessManagers(stores, createWriteModels(stores), logger);
}

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    logger.log(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  shuttingDown = true;
  logger.log(`${signal}: stopping (the batch in flight is committed first)`);
  setTimeout(() => {
    logger.error(`Shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  try {
    await closeAll();
    logger.log('Stopped');
    process.exit(0);
  } catch (error) {
    logger.error('Shutdown failed', error);
    process.exit(1);
  }
}

async function closeAll(): Promise<void> {
  const { server, projector, eventStore, readStore, keys } = opened;
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await projector?.stop();
  await eventStore?.close();
  await keys?.close();
  await readStore?.close();
}

// Installed first, so a signal during start-up (e.g. while MongoDB is being reached) stops cleanly.
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));

main().catch(async (error: unknown) => {
  if (error instanceof ProjectorConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    logger.error('The projector could not start', error);
  }
  await closeAll().catch(() => undefined);
  process.exit(1);
});
