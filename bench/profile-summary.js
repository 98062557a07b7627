#!/usr/bin/env node
'use strict';
// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and the
// most inclusive time (a function counted once per sample, however deep it recurses). Shares are of
// the busy time (idle excluded): a profile spans the whole run, seeding and pauses included.
//
//   node bench/profile-summary.js <file.cpuprofile> [--top 25] [--json]
const { readFileSync } = require('node:fs');
const { relative } = require('node:path');

function summarise(profile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfMs = new Map();
  const totalMs = new Map();
  let sampledMs = 0;
  const keyOf = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    sampledMs += ms;
    const node = byId.get(id);
    const key = keyOf(node);
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
    const seen = new Set();
    for (let current = id; current !== undefined; current = parent.get(current)) {
      const ancestorKey = keyOf(byId.get(current));
      if (seen.has(ancestorKey)) continue;
      seen.add(ancestorKey);
      totalMs.set(ancestorKey, (totalMs.get(ancestorKey) ?? 0) + ms);
    }
  });
  const busyMs = sampledMs - (selfMs.get('(idle)') ?? 0);
  selfMs.delete('(idle)');
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms), percent: Math.round((1000 * ms) / busyMs) / 10 }));
  const skip = /^\((root|program|idle|garbage collector)\)$/;
  return {
    sampledMs: Math.round(sampledMs),
    busyMs: Math.round(busyMs),
    self: rank(selfMs),
    inclusive: rank(new Map([...totalMs].filter(([fn]) => !skip.test(fn.split(' ')[0])))),
  };
}

function shorten(url) {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) return path.slice(inModules + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

function print(summary) {
  const line = ({ fn, ms, percent }) => `${String(ms).padStart(8)} ms ${String(percent).padStart(5)} %  ${fn}`;
  console.log(`sampled ${summary.sampledMs} ms, busy ${summary.busyMs} ms (shares below are of the busy time)\n\ntop self time:`);
  for (const entry of summary.self) console.log(line(entry));
  console.log('\ntop inclusive time:');
  for (const entry of summary.inclusive) console.log(line(entry));
}

if (require.main === module) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile> [--top N] [--json]');
    process.exit(2);
  }
  const topIndex = rest.indexOf('--top');
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')), topIndex >= 0 ? Number(rest[topIndex + 1]) : 25);
  if (rest.includes('--json')) console.log(JSON.stringify(summary, null, 2));
  else print(summary);
}

module.exports = { summarise };
