/**
 * Runs tasks for one key one at a time, in arrival order. Concurrent writes to one user or group
 * then read, decide and append in turn instead of racing for the same expected revision (an IdP's
 * parallel PATCHes are all applied, and of two with one If-Match exactly one wins); across API
 * instances the expected revision still decides.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
