'use strict';
// The rebuild's writer thread (libs/read-models/src/rebuild-writer.worker.ts) run from its
// TypeScript source, for specs: a worker thread does not go through Jest's transform, so its
// modules are transpiled here as they are required.
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
require('../../libs/read-models/src/rebuild-writer.worker.ts');
