import { resolveMembershipConditions } from './membership-filter';
import { resolveResourceTypeConditions } from './resource-type-filter';

const conditionOf = async (id: string) => ({ _id: { $in: id === 'g1' ? ['u1', 'u2'] : [] } });
const resolve = (query: Record<string, unknown>) => resolveMembershipConditions(query, 'search.groups', conditionOf);

describe('resolveMembershipConditions', () => {
  it('turns groups.value eq and groups[value eq] into the condition given for the id, beside the other conditions', async () => {
    expect(await resolve({ 'search.groups.value': 'g1', 'search.userName': 'ann' })).toEqual({ $and: [{ _id: { $in: ['u1', 'u2'] } }], 'search.userName': 'ann' });
    expect(await resolve({ 'search.groups': { $elemMatch: { value: 'g1' } } })).toEqual({ $and: [{ _id: { $in: ['u1', 'u2'] } }] });
  });

  it('resolves inside $and, $or and $nor; an unknown id matches nobody', async () => {
    expect(await resolve({ $or: [{ 'search.groups.value': 'g1' }, { 'search.groups.value': 'g9' }] })).toEqual({
      $or: [{ $and: [{ _id: { $in: ['u1', 'u2'] } }] }, { $and: [{ _id: { $in: [] } }] }],
    });
    expect(await resolve({ $nor: [{ 'search.groups.value': 'g1' }] })).toEqual({ $nor: [{ $and: [{ _id: { $in: ['u1', 'u2'] } }] }] });
  });

  it.each([
    { 'search.groups.display': 'Eng' },
    { 'search.groups.value': { $ne: 'g1' } },
    { 'search.groups': { $exists: true } },
    { 'search.groups': { $elemMatch: { value: 'g1', type: 'direct' } } },
  ])('refuses %j with invalidFilter', async (query) => {
    await expect(resolve(query)).rejects.toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });

  it('keeps a condition named "__proto__" as an own key', async () => {
    const resolved = await resolve(JSON.parse('{"__proto__": {"x": 1}}'));
    expect(Object.hasOwn(resolved, '__proto__')).toBe(true);
  });
});

describe('resolveResourceTypeConditions', () => {
  const ALL = { _id: { $exists: true } };
  const NONE = { _id: { $in: [] } };

  it('decides eq, ne and pr on meta.resourceType against the collection\'s type, nested too', () => {
    expect(resolveResourceTypeConditions({ 'search.meta.resourceType': 'Group', 'search.displayName': 'x' }, 'Group')).toEqual({ $and: [ALL], 'search.displayName': 'x' });
    expect(resolveResourceTypeConditions({ 'search.meta.resourceType': 'User' }, 'Group')).toEqual({ $and: [NONE] });
    expect(resolveResourceTypeConditions({ $or: [{ 'search.meta.resourceType': { $ne: 'Group' } }, { 'search.meta.resourceType': { $exists: true } }] }, 'Group')).toEqual({
      $or: [{ $and: [NONE] }, { $and: [ALL] }],
    });
  });

  it('refuses other operators with invalidFilter', () => {
    expect(() => resolveResourceTypeConditions({ 'search.meta.resourceType': { $regex: '^G' } }, 'Group')).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }));
  });
});
