import { groupResourceSchema, userResourceSchema } from '../schema/resource-schema';
import { parseAttributeList, sortPath } from './sort-and-attributes';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('sortPath', () => {
  it.each([
    ['userName', 'search.userName'],
    ['USERNAME', 'search.userName'],
    ['name.familyName', 'search.name.familyName'],
    ['meta.lastModified', 'search.meta.lastModified'],
    ['emails', 'search.emails.value'],
    ['emails.type', 'search.emails.type'],
    ['id', 'search.id'],
    [`${ENTERPRISE}:employeeNumber`, 'search.enterprise.employeeNumber'],
    [`${ENTERPRISE}:manager.value`, 'search.enterprise.manager.value'],
    [' displayName ', 'search.displayName'],
  ])('%s → %s', (sortBy, field) => {
    expect(sortPath(sortBy, userResourceSchema)).toBe(field);
  });

  it('uses the given mirror field, and the Group schema', () => {
    expect(sortPath('displayName', groupResourceSchema, 'mirror')).toBe('mirror.displayName');
  });

  it.each(['foo', 'name', `${ENTERPRISE}:manager`, 'password', 'name.foo', 'emails[type eq "work"]', 'groups.$ref'])('%j is 400 invalidValue', (sortBy) => {
    expect(() => sortPath(sortBy, userResourceSchema)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidValue' }));
  });
});

describe('parseAttributeList', () => {
  it('splits on commas and trims', () => {
    expect(parseAttributeList(` userName, name.givenName ,,${ENTERPRISE}:employeeNumber,${ENTERPRISE}`)).toEqual([
      'userName',
      'name.givenName',
      `${ENTERPRISE}:employeeNumber`,
      ENTERPRISE,
    ]);
  });

  it('gives an empty list for an empty parameter', () => {
    expect(parseAttributeList('')).toEqual([]);
  });

  it.each(['emails[type eq "work"]', 'a.b.c', 'user name'])('%j is 400 invalidValue', (text) => {
    expect(() => parseAttributeList(text)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidValue' }));
  });
});
