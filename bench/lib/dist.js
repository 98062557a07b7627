'use strict';
// The compiled libraries (`npm run build` writes dist/; tsc-alias rewrote the @scim/* imports).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const MAIN = join(DIST, 'apps', 'scim-api', 'src', 'main.js');

function lib(path) {
  const file = join(DIST, 'libs', path);
  if (!existsSync(`${file}.js`) && !existsSync(join(file, 'index.js'))) {
    throw new Error(`${file} is missing: run "npm run build" first (npm run bench does it)`);
  }
  return require(file);
}

module.exports = {
  ROOT,
  MAIN,
  domain: () => lib('domain/src'),
  protocol: () => lib('scim-protocol/src'),
  eventStore: () => lib('event-store/src'),
  readModels: () => lib('read-models/src'),
  projections: () => lib('read-models/src/projections'),
  hashChain: () => lib('event-store/src/hash-chain'),
  /**
   * Sets the process managers' checkpoints (names from the compiled API) to `position`: for a log
   * whose events give them nothing to do, where the running service would have read past them.
   */
  async markProcessManagersAt(readStore, position) {
    const names = [
      require(join(DIST, 'apps', 'scim-api', 'src', 'roles', 'roles-via-groups.process')).RolesViaGroupsProcess.checkpointName,
      require(join(DIST, 'apps', 'scim-api', 'src', 'groups', 'deleted-users-leave-groups.process')).DeletedUsersLeaveGroupsProcess.checkpointName,
    ];
    for (const name of names) await readStore.commit([], { projection: name, position });
  },
};
