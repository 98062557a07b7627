import { topLevelFieldsOf } from './referenced-fields';

describe('topLevelFieldsOf', () => {
  it('names the first segment of each path, inside logical operators too', () => {
    const query = {
      accountId: 'a',
      'search.userName': { $regex: '^x' },
      $or: [{ 'emails.value': 'e' }, { $nor: [{ active: false }] }],
      $and: [{ tags: { $elemMatch: { value: 'v', 'deep.path': 1 } } }],
    };
    expect([...topLevelFieldsOf(query)].sort()).toEqual(['accountId', 'active', 'emails', 'search', 'tags']);
  });

  it('is empty for the query that matches everything', () => {
    expect(topLevelFieldsOf({}).size).toBe(0);
  });
});
