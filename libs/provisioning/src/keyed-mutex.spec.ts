import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ticks: number) => async () => {
      log.push(`start ${name}`);
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([mutex.run('g', task('a', 5)), mutex.run('g', task('b', 1)), mutex.run('h', task('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log.indexOf('end a')).toBeLessThan(log.indexOf('start b'));
    expect(log.indexOf('start c')).toBeLessThan(log.indexOf('end a'));
  });

  it('keeps going after a failed task', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('g', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('g', async () => 'next')).resolves.toBe('next');
  });
});
