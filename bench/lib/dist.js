'use strict';
// What the benchmark may use of the build (`npm run build` writes dist/): the service as a program
// (spawned as `npm run start:prod` runs it, never loaded), and the libraries through the entry
// points the apps import them by (`@scim/<lib>` and its `@scim/<lib>/<entry>` folders), never a
// file behind them.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const MAIN = join(DIST, 'apps', 'scim-api', 'src', 'main.js');

/** `@scim/<name>` or `@scim/<name>/<entry>`, as compiled: the folder's index.js. */
function publicEntry(name, entry) {
  const file = join(DIST, 'libs', name, 'src', ...(entry ? [entry] : []), 'index.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm run bench does it)`);
  return require(file);
}

/**
 * The node options the service runs with in production: those of `npm run start:prod` (which
 * `npm start` and the Dockerfile's CMD repeat; test/compose checks they agree), so that the
 * benchmark measures the service as it is started, heap settings included.
 */
function serviceNodeOptions() {
  const words = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['start:prod'].trim().split(/\s+/);
  const script = words.indexOf('dist/apps/scim-api/src/main.js');
  if (words[0] !== 'node' || script < 0) throw new Error(`package.json "start:prod" is not "node [options] dist/apps/scim-api/src/main.js": ${words.join(' ')}`);
  return words.slice(1, script);
}

module.exports = {
  ROOT,
  MAIN,
  serviceNodeOptions,
  domain: () => publicEntry('domain'),
  protocol: () => publicEntry('scim-protocol'),
  eventStore: () => publicEntry('event-store'),
  hashChain: () => publicEntry('event-store', 'hash-chain'),
  personalData: () => publicEntry('event-store', 'personal-data'),
  provisioning: () => publicEntry('provisioning'),
  readModels: () => publicEntry('read-models'),
  projections: () => publicEntry('read-models', 'projections'),
};
