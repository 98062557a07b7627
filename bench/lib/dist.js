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
  DIST,
  MAIN,
  domain: () => lib('domain/src'),
  protocol: () => lib('scim-protocol/src'),
  eventStore: () => lib('event-store/src'),
  readModels: () => lib('read-models/src'),
  projections: () => lib('read-models/src/projections'),
  hashChain: () => lib('event-store/src/hash-chain'),
};
