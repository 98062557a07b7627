'use strict';

function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median of each numeric field of autocannon summaries (requests/s, latency percentiles). */
function medianOfRuns(runs) {
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    latencyMs: {
      p50: median(runs.map((run) => run.latencyMs.p50)),
      p99: median(runs.map((run) => run.latencyMs.p99)),
    },
    cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest)),
    runs: runs.map((run) => ({ requestsPerSecond: Math.round(run.requestsPerSecond), p99: run.latencyMs.p99, cpuMicrosPerRequest: run.cpuMicrosPerRequest })),
  };
}

module.exports = { median, medianOfRuns };
