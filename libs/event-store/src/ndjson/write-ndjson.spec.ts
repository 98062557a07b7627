import { Writable } from 'node:stream';
import { writeNdjson } from './write-ndjson';

/** A client that takes one chunk every `delayMs`, with a small buffer. */
function slowClient(delayMs: number, received: string[]): Writable {
  return new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString('utf8'));
      setTimeout(callback, delayMs);
    },
  });
}

describe('writeNdjson', () => {
  test('writes one JSON line per item, in order', async () => {
    const received: string[] = [];
    async function* source() {
      yield [{ a: 1 }, { a: 2 }];
      yield [{ a: 3 }];
    }

    const client = slowClient(0, received);

    const complete = await writeNdjson(client, source(), (item) => ({ ...item, line: true }));
    await new Promise<void>((resolve) => client.end(resolve));

    expect(complete).toBe(true);
    expect(received.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line))).toEqual([
      { a: 1, line: true },
      { a: 2, line: true },
      { a: 3, line: true },
    ]);
  });

  test('pulls the next batch only when the client has taken the previous one', async () => {
    const received: string[] = [];
    let pulled = 0;
    let maxAhead = 0;
    async function* source() {
      for (let index = 0; index < 20; index++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - received.length);
        yield [{ index, padding: 'x'.repeat(200) }];
      }
    }

    const client = slowClient(2, received);

    await writeNdjson(client, source(), (item) => item);
    await new Promise<void>((resolve) => client.end(resolve));

    expect(received).toHaveLength(20);
    // Without backpressure all 20 batches would be pulled before the slow client took the second.
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  test('stops reading the source when the client goes away', async () => {
    const received: string[] = [];
    const client = slowClient(5, received);
    let pulled = 0;
    let closed = false;
    async function* source() {
      try {
        for (let index = 0; index < 1000; index++) {
          pulled++;
          if (index === 3) client.destroy();
          yield [{ index, padding: 'x'.repeat(200) }];
        }
      } finally {
        closed = true;
      }
    }

    const complete = await writeNdjson(client, source(), (item) => item);

    expect(complete).toBe(false);
    expect(pulled).toBeLessThan(10);
    expect(closed).toBe(true);
  });
});
