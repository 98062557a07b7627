#!/usr/bin/env node
// Fails unless each named test file ran with every test passed and none skipped. The contract
// suites skip when their server URL is missing: in the distributed CI job a skip is a failure.
//
// Usage: node scripts/ci/assert-suites-ran.js <jest --json output> <test file suffix>...
'use strict';
const { readFileSync } = require('node:fs');

const [resultsFile, ...suffixes] = process.argv.slice(2);
if (!resultsFile || suffixes.length === 0) {
  process.stderr.write('usage: assert-suites-ran.js <jest-results.json> <test file suffix>...\n');
  process.exit(2);
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
let failed = 0;
for (const suffix of suffixes) {
  const suite = results.testResults.find((result) => result.name.replaceAll('\\', '/').endsWith(suffix));
  const tests = suite ? suite.assertionResults : [];
  const passed = tests.filter((test) => test.status === 'passed').length;
  const ok = suite !== undefined && tests.length > 0 && passed === tests.length;
  if (!ok) failed += 1;
  process.stdout.write(`${ok ? 'ran' : 'NOT RUN'}: ${suffix} (${passed}/${tests.length} passed)\n`);
}
process.stdout.write(`suites: ${suffixes.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
