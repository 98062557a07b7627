'use strict';
// The compiled libraries (`npm run build` writes dist/; tsc-alias rewrote the @scim/* imports).
const { existsSync, readFileSync } = require('node:fs');
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
  DIST,
  MAIN,
  serviceNodeOptions,
  domain: () => lib('domain/src'),
  protocol: () => lib('scim-protocol/src'),
  eventStore: () => lib('event-store/src'),
  readModels: () => lib('read-models/src'),
  projections: () => lib('read-models/src/projections'),
  hashChain: () => lib('event-store/src/hash-chain'),
};
