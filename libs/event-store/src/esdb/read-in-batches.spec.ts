import { PassThrough, Readable } from 'node:stream';
import { readInBatches } from './read-in-batches';

async function collect<Item>(batches: AsyncIterable<Item[]>): Promise<Item[][]> {
  const collected: Item[][] = [];
  for await (const batch of batches) collected.push(batch);
  return collected;
}

describe('readInBatches', () => {
  test('groups what is buffered into batches of at most the maximum, in order, then ends', async () => {
    const source = new PassThrough({ objectMode: true, highWaterMark: 100 });
    for (let item = 1; item <= 7; item++) source.write(item);
    source.end();

    const batches = await collect(readInBatches<number>(source, 3));

    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7],
    ]);
  });

  test('waits for items written later', async () => {
    const source = new PassThrough({ objectMode: true });
    const batches: number[][] = [];
    const reading = (async () => {
      for await (const batch of readInBatches<number>(source, 10)) batches.push(batch);
    })();

    source.write(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    source.write(2);
    source.write(3);
    source.end();
    await reading;

    expect(batches.flat()).toEqual([1, 2, 3]);
    expect(batches[0]).toEqual([1]);
  });

  test('rethrows the stream error', async () => {
    const failure = new Error('connection reset');
    const source = new Readable({
      objectMode: true,
      read() {
        this.destroy(failure);
      },
    });

    await expect(collect(readInBatches(source, 10))).rejects.toBe(failure);
  });

  test('ends quietly when the stream is destroyed while waiting', async () => {
    const source = new PassThrough({ objectMode: true });
    const reading = collect(readInBatches<number>(source, 10));

    source.write(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    source.destroy();

    await expect(reading).resolves.toEqual([[1]]);
  });
});
