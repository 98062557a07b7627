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

/** What a request gets when the thread's program threw, or the thread stopped or failed. */
export interface ThreadError {
  readonly error: string;
}

/**
 * Requests to a thread of `startSqliteThread`, answered one at a time in the order asked: the
 * thread starts with the first, holds the process open only while a request is on its way, starts
 * again after a crash, and ends with `close()`, once the requests asked before it are answered.
 */
export class SqliteThreadRequests<Reply> {
  private thread: { readonly worker: Worker; readonly exited: Promise<void> } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private settle: ((reply: Reply | ThreadError) => void) | undefined;

  /** `start` starts the thread; `name` names it in the error a crash answers with. */
  constructor(
    private readonly start: () => Worker,
    private readonly name: string,
  ) {}

  /**
   * The reply to the message `message()` gives when its turn comes (a throw of it rejects this
   * request alone).
   */
  ask(message: () => unknown): Promise<Reply | ThreadError> {
    const answered = this.queue.then(() => this.send(message()));
    this.queue = answered.catch(() => undefined);
    return answered;
  }

  async close(): Promise<void> {
    await this.queue;
    if (!this.thread) return;
    this.thread.worker.ref();
    this.thread.worker.postMessage('stop');
    await this.thread.exited;
  }

  private send(message: unknown): Promise<Reply | ThreadError> {
    this.thread ??= this.startThread();
    const { worker } = this.thread;
    return new Promise<Reply | ThreadError>((resolve) => {
      this.settle = resolve;
      // Held open while a request is on its way: its caller may be all the process waits for.
      worker.ref();
      worker.postMessage(message);
    }).finally(() => {
      this.settle = undefined;
      worker.unref();
    });
  }

  private startThread(): { readonly worker: Worker; readonly exited: Promise<void> } {
    const worker = this.start();
    worker.on('message', (reply: Reply) => this.settle?.(reply));
    worker.on('error', (error) => this.settle?.({ error: error.message }));
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        // A thread gone (crashed): the next request starts another one.
        this.settle?.({ error: `the ${this.name} thread exited` });
        this.thread = undefined;
        resolve();
      }),
    );
    worker.unref();
    return { worker, exited };
  }
}
