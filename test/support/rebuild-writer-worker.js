'use strict';
// The rebuild's writer thread (libs/read-models/src/rebuild-writer.worker.ts) run from its
// TypeScript source, for specs: a worker thread does not go through Jest's transform, so its
// modules are transpiled here as they are required.
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');

// The libs' '@scim/<lib>/…' paths (tsconfig.json), as Jest's moduleNameMapper maps them.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@scim\/([^/]+)(\/.*)?$/.exec(request);
  return resolveFilename.call(this, lib ? join(__dirname, '../../libs', lib[1], 'src', lib[2] ?? '') : request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
require('../../libs/read-models/src/rebuild-writer.worker.ts');
