// Prints why suites were skipped (their "SKIP …" lines: jest hides the console of a suite whose
// tests were all skipped), then one plain closing line ("tests: N passed, N failed, N skipped")
// that any CI can read.
class SummaryReporter {
  constructor() {
    this.skipReasons = [];
  }

  onTestResult(_test, result) {
    for (const entry of result.console ?? []) {
      if (typeof entry.message === 'string' && entry.message.startsWith('SKIP ')) this.skipReasons.push(entry.message);
    }
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const skipped = this.skipReasons.map((reason) => `${reason}\n`).join('');
    process.stdout.write(`\n${skipped}tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
