import { topLevelEqualities } from './equality-constraints';

describe('topLevelEqualities', () => {
  it('collects fields pinned to one string or number', () => {
    const equalities = topLevelEqualities({
      accountId: 'a1',
      'search.userName': { $eq: 'alice' },
      age: 31,
      $and: [{ status: 'active' }, { $or: [{ kind: 'x' }] }],
    });
    expect([...equalities]).toEqual([
      ['accountId', 'a1'],
      ['search.userName', 'alice'],
      ['age', 31],
      ['status', 'active'],
    ]);
  });

  it('ignores conditions an equality index cannot answer', () => {
    const equalities = topLevelEqualities({
      status: { $ne: 'deleted' },
      name: { givenName: 'A' },
      tags: ['a'],
      active: true,
      nickName: null,
      userName: /^a/,
      score: Number.NaN,
      $or: [{ accountId: 'a1' }],
    });
    expect(equalities.size).toBe(0);
  });
});
