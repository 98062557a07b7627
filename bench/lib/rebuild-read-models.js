'use strict';
// Rebuilds every read model from an event store into an EmbeddedReadStore file, as the service
// would leave them: the service's indexes and fields stored apart declared first,
// ProjectionRunner.rebuild timed, then the process managers' checkpoints set to the head (untimed:
// the seeded events give them nothing to do, and a running service would have read past them).
const { join } = require('node:path');
const dist = require('./dist');

const processCheckpointNames = () => [
  require(join(dist.DIST, 'libs', 'provisioning', 'src', 'processes', 'roles-via-groups.process')).RolesViaGroupsProcess.checkpointName,
  require(join(dist.DIST, 'libs', 'provisioning', 'src', 'processes', 'deleted-users-leave-groups.process')).DeletedUsersLeaveGroupsProcess.checkpointName,
  require(join(dist.DIST, 'libs', 'provisioning', 'src', 'processes', 'retention.process')).RetentionProcess.checkpointName,
];

/** Resolves with the rebuild's progress, its seconds and each projection's checkpoint; closes the read store. */
async function rebuildReadModels(eventStore, file, { scratch = false } = {}) {
  const { EmbeddedReadStore, ProjectionRunner } = dist.readModels();
  const { allProjections, prepareReadModelStore } = dist.projections();
  const readStore = EmbeddedReadStore.open({ file, scratch });
  try {
    await prepareReadModelStore(readStore);
    const quiet = { log: () => undefined, error: (message, error) => console.error(message, error) };
    const runner = new ProjectionRunner(eventStore, readStore, [...allProjections], { logger: quiet });
    const started = performance.now();
    const progress = await runner.rebuild(readStore);
    const seconds = (performance.now() - started) / 1000;
    const checkpoints = {};
    for (const projection of allProjections) checkpoints[projection.name] = await readStore.checkpoint(projection.name);
    for (const name of processCheckpointNames()) await readStore.commit([], { projection: name, position: progress.head });
    return { progress, seconds, checkpoints };
  } finally {
    await readStore.close();
  }
}

module.exports = { rebuildReadModels };
