import { Worker } from 'node:worker_threads';

/**
 * Starts a thread with its own connection to the SQLite file `file` (read-only when `readonly`),
 * running `program`: code that may use `db` (the connection) and `workerData`, and ends with a
 * function expression that answers one request, its value posted back (a throw posts `{ error }`).
 * 'stop' closes the connection and the thread. Inline text rather than a file of its own, so the
 * same code runs compiled and under ts-jest; the driver is the path this module resolves, so the
 * thread loads the same copy.
 */
export function startSqliteThread(file: string, program: string, workerData: Record<string, unknown> = {}, { readonly = false } = {}): Worker {
  return new Worker(threadProgram(program), {
    eval: true,
    workerData: { ...workerData, file, readonly, driver: require.resolve('better-sqlite3') },
  });
}

function threadProgram(program: string): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, readonly: workerData.readonly });
const answer = (() => {
${program}
})();
parentPort.on('message', (request) => {
  if (request === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage(answer(request));
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;
}
