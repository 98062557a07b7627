'use strict';
// Preloaded into a profiled service (node --cpu-prof --require …): V8 writes the profile only when
// the process exits on its own, not when a signal kills it. Nest's shutdown hook closes the app on
// SIGTERM and then raises SIGTERM again; this listener turns that second one into process.exit.
let received = 0;
process.on('SIGTERM', () => {
  received++;
  if (received > 1) process.exit(0);
  // Should the app never re-raise the signal, exit anyway once it had time to close its stores.
  setTimeout(() => process.exit(0), 10_000).unref();
});
