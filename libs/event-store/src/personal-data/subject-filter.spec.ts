import { randomUUID } from 'node:crypto';
import { SubjectFilter } from './subject-filter';

describe('SubjectFilter', () => {
  it('says "maybe" for every id added, and "no" for nearly every other', () => {
    const filter = new SubjectFilter(10_000);
    const added = Array.from({ length: 10_000 }, () => randomUUID());
    for (const id of added) filter.add(id);
    expect(added.every((id) => filter.mayHold(id))).toBe(true);
    const others = Array.from({ length: 10_000 }, () => randomUUID());
    const maybes = others.filter((id) => filter.mayHold(id)).length;
    // About 0.2 % at 13 bits a subject (10,000 × 10 bits rounded up to 2^17); 2 % would be a broken hash.
    expect(maybes).toBeLessThan(200);
    expect(filter.overfull).toBe(false);
  });

  it('tells ids apart that differ in one character, and knows none when new', () => {
    const filter = new SubjectFilter(100);
    expect(filter.mayHold('user-1')).toBe(false);
    filter.add('user-1');
    expect(filter.mayHold('user-1')).toBe(true);
    expect(['user-2', 'user-10', 'User-1', '', 'ü'].filter((id) => filter.mayHold(id))).toEqual([]);
  });

  it('is overfull once more ids than its capacity were added, an id added twice counting once', () => {
    const filter = new SubjectFilter(3);
    for (const id of ['a', 'b', 'c', 'a', 'b']) filter.add(id);
    expect(filter.overfull).toBe(false);
    filter.add('d');
    expect(filter.overfull).toBe(true);
  });
});
