import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import { loaderFor } from './project-batch';
import type { DocumentChange } from './read-store.port';
import { commitRebuilt, type WriterReply, type WriterRequest } from './rebuild-writer';

/**
 * The writer thread of a rebuild (rebuild-writer.ts `threadWriter`): applies the main thread's
 * commits and loads to the scratch file, one at a time in the order sent, one reply each.
 */
const port = parentPort;
if (!port) throw new Error('rebuild-writer.worker runs as a worker thread');
const store = EmbeddedReadStore.open({ file: (workerData as { file: string }).file, scratch: true });
const load = loaderFor(store);
let failed: WriterReply | undefined;
let queue = Promise.resolve();

async function apply(request: WriterRequest): Promise<WriterReply> {
  switch (request.kind) {
    case 'commit':
      await commitRebuilt(store, JSON.parse(request.changes) as DocumentChange[], request.checkpoint);
      return { kind: 'done' };
    case 'load':
      return { kind: 'done', docs: [...(await load(request.collection, request.ids)).values()] };
    case 'finish':
      await store.close();
      return { kind: 'done' };
  }
}

port.on('message', (request: WriterRequest) => {
  queue = queue.then(async () => {
    if (!failed) {
      try {
        port.postMessage(await apply(request));
        return;
      } catch (error) {
        failed = { kind: 'failed', name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
      }
    }
    port.postMessage(failed);
  });
});
