#!/usr/bin/env node
// `npm run build`: compiles into a fresh folder beside dist/ and swaps it in only when the build
// succeeded. A service already running from dist/ (a second `npm start` by mistake) never finds its
// files deleted under it, and a failed build leaves the previous dist/ as it was.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, renameSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const next = join(root, `dist.next-${process.pid}`);
const previous = join(root, `dist.previous-${process.pid}`);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

try {
  run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', next]);
  run(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', next]);
} catch {
  rmSync(next, { recursive: true, force: true });
  process.exit(1);
}
// Two renames: a running service keeps the modules it has loaded; new starts see the new build.
if (existsSync(dist)) renameSync(dist, previous);
renameSync(next, dist);
rmSync(previous, { recursive: true, force: true });
