import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteThreadRequests, startSqliteThread } from './sqlite-thread';

// Answers a number with the next one; 'fail' throws in the program, 'exit' ends the thread.
const PROGRAM = `
db.exec('CREATE TABLE IF NOT EXISTS asked (n INTEGER)');
return (request) => {
  if (request === 'fail') throw new Error('asked to fail');
  if (request === 'exit') process.exit(1);
  db.prepare('INSERT INTO asked (n) VALUES (?)').run(request);
  return { next: request + 1, threadId: require('node:worker_threads').threadId };
};
`;

type Reply = { readonly next: number; readonly threadId: number };

describe('SqliteThreadRequests', () => {
  let directory: string;
  let file: string;
  let requests: SqliteThreadRequests<Reply>;
  let started: number;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scim-sqlite-thread-'));
    file = join(directory, 'thread.db');
    new Database(file).close();
    started = 0;
    requests = new SqliteThreadRequests(() => {
      started++;
      return startSqliteThread(file, PROGRAM);
    }, 'test');
  });

  afterEach(async () => {
    await requests.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('starts no thread before the first request, then one for all, answering in the order asked', async () => {
    expect(started).toBe(0);
    const replies = await Promise.all([1, 2, 3].map((n) => requests.ask(() => n)));
    expect(replies.map((reply) => ('next' in reply ? reply.next : reply))).toEqual([2, 3, 4]);
    expect(started).toBe(1);
  });

  it("answers a throw of the thread's program with its message, and goes on", async () => {
    await expect(requests.ask(() => 'fail')).resolves.toEqual({ error: 'asked to fail' });
    await expect(requests.ask(() => 1)).resolves.toMatchObject({ next: 2 });
  });

  it('rejects a request whose message cannot be made, and only that one', async () => {
    const refused = requests.ask(() => {
      throw new Error('no message');
    });
    const next = requests.ask(() => 5);
    await expect(refused).rejects.toThrow('no message');
    await expect(next).resolves.toMatchObject({ next: 6 });
  });

  it('answers the request a crashed thread had with an error, and starts another thread for the next', async () => {
    const first = await requests.ask(() => 1);
    await expect(requests.ask(() => 'exit')).resolves.toEqual({ error: 'the test thread exited' });
    const after = await requests.ask(() => 2);
    expect(after).toMatchObject({ next: 3 });
    expect((after as Reply).threadId).not.toBe((first as Reply).threadId);
    expect(started).toBe(2);
  });

  it('closes after the requests asked before it are answered', async () => {
    const asked = [1, 2, 3].map((n) => requests.ask(() => n));
    await requests.close();
    await expect(Promise.all(asked)).resolves.toHaveLength(3);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM asked').pluck().get()).toBe(3);
    db.close();
  });
});
