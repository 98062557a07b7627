import { selectAttributes } from './attributes';
import { parseFilter } from './filter/parser';
import { filterToQuery } from './filter/to-query';
import { cloneJson, jsonEqual } from './json';
import { parsePatchRequest } from './patch/patch-request';
import { applyUserPatch } from './patch/user-patch';
import { normalizeUserProfile } from './resource/user-profile';
import { ScimError } from './scim-error';
import { userResourceSchema } from './schema/resource-schema';

/**
 * Issue 12: attribute names, filter paths and PATCH paths named after Object.prototype's keys are
 * ordinary unknown names. Each is refused or ignored exactly as "zzz" is, and none of them reaches
 * a prototype of what the protocol layer returns.
 */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const UNKNOWN = 'zzz';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The scimType a call fails with, or 'ok'; anything but a ScimError fails the test. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    return `${error.status} ${error.scimType}`;
  }
}

/** Every object in a JSON tree has Object.prototype (or none) as its prototype. */
function expectOrdinaryPrototypes(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(expectOrdinaryPrototypes);
  if (typeof value !== 'object' || value === null) return;
  expect([Object.prototype, null]).toContain(Object.getPrototypeOf(value));
  Object.values(value).forEach(expectOrdinaryPrototypes);
}

/** A JSON body with `name` as a key at the top, inside a complex attribute and inside the extension. */
const bodyNaming = (name: string) =>
  JSON.parse(
    `{"schemas":["${USER}"],"userName":"u@example.com","${name}":{"polluted":true},"name":{"${name}":{"polluted":true},"givenName":"G"},` +
      `"${ENTERPRISE}":{"${name}":{"polluted":true},"department":"D"},"emails":[{"value":"e@example.com","${name}":{"polluted":true}}]}`,
  ) as unknown;

describe.each(PROTOTYPE_NAMES)('protocol: the name %s', (name) => {
  const as = (template: string, n: string) => template.replaceAll('NAME', n);

  it.each(['NAME eq "x"', 'NAME pr', 'name.NAME eq "x"', 'emails[NAME eq "x"]', 'emails.NAME sw "x"', `${ENTERPRISE}:NAME eq "x"`, 'not (NAME pr) and userName pr'])(
    'filter %s is an invalid filter, as for an unknown attribute',
    (template) => {
      const run = (n: string) => () => filterToQuery(parseFilter(as(template, n), userResourceSchema), userResourceSchema);
      expect(outcome(run(name))).toBe('400 invalidFilter');
      expect(outcome(run(UNKNOWN))).toBe('400 invalidFilter');
    },
  );

  it('as a filter value, it is an ordinary string', () => {
    const query = filterToQuery(parseFilter(`userName eq "${name}" or displayName eq "${name}"`, userResourceSchema), userResourceSchema);
    expect(JSON.stringify(query)).toContain(JSON.stringify(name.toLowerCase()));
    expectOrdinaryPrototypes(query);
  });

  it.each(['NAME', 'name.NAME', `${ENTERPRISE}:NAME`, 'emails[NAME eq "x"].value', 'emails[type eq "home" and NAME eq "x"]', 'emails[type eq "work"].NAME'])(
    'PATCH path %s is an invalid path, whether or not the user has a value it could match',
    (template) => {
      for (const profile of [{ userName: 'u@example.com', emails: [{ value: 'e@example.com', type: 'work' }] }, { userName: 'u@example.com' }]) {
        for (const op of ['add', 'replace']) {
          const run = (n: string) => () => applyUserPatch({ profile, active: true }, parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op, path: as(template, n), value: 'x' }] }));
          expect(outcome(run(name))).toBe('400 invalidPath');
          expect(outcome(run(UNKNOWN))).toBe('400 invalidPath');
        }
      }
    },
  );

  it('in a create body, it is ignored and noted as an unknown attribute at every level', () => {
    const user = normalizeUserProfile(bodyNaming(name));
    expect(user.profile).toEqual({ userName: 'u@example.com', name: { givenName: 'G' }, emails: [{ value: 'e@example.com' }], [ENTERPRISE]: { department: 'D' } });
    expect(user.notes).toEqual(expect.arrayContaining([`unknown-attribute-ignored:${name}`, `unknown-attribute-ignored:name.${name}`, `unknown-attribute-ignored:${ENTERPRISE}:${name}`]));
    expectOrdinaryPrototypes(user.profile);
  });

  it('in a path-less PATCH value, it is ignored and noted', () => {
    const value = JSON.parse(`{"${name}":{"polluted":true},"title":"T","name":{"${name}":{"polluted":true},"familyName":"F"}}`) as unknown;
    const patched = applyUserPatch({ profile: { userName: 'u@example.com' }, active: true }, parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'add', value }] }));
    expect(patched.profile).toEqual({ userName: 'u@example.com', title: 'T', name: { familyName: 'F' } });
    expect(patched.notes).toContain(`unknown-attribute-ignored:${name}`);
    expectOrdinaryPrototypes(patched.profile);
  });

  it('as a selected or excluded attribute, it selects nothing', () => {
    const resource = { schemas: [USER], id: 'u1', userName: 'u@example.com', name: { givenName: 'G' } };
    expect(selectAttributes(resource, userResourceSchema, { attributes: [name] })).toEqual({ schemas: [USER], id: 'u1' });
    expect(selectAttributes(resource, userResourceSchema, { excludedAttributes: [name, `name.${name}`] })).toEqual(resource);
  });

  it('as a key of JSON data, it is copied and compared as an own key', () => {
    const parsed = JSON.parse(`{"${name}":{"polluted":true},"list":[{"${name}":1}]}`) as Record<string, unknown>;
    const copy = cloneJson(parsed);
    expect(Object.keys(copy)).toEqual([name, 'list']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(jsonEqual(copy, parsed)).toBe(true);
    expect(jsonEqual(JSON.parse(`{"${name}":{"polluted":true}}`), JSON.parse('{"other":{"polluted":true}}'))).toBe(false);
    // Excluding a sub-attribute copies the rest of a value: keys it does not know stay own keys.
    const kept = selectAttributes({ id: 'u1', name: JSON.parse(`{"givenName":"G","${name}":{"polluted":true}}`) }, userResourceSchema, { excludedAttributes: ['name.givenName'] });
    expect(Object.keys(kept.name as object)).toEqual([name]);
    expectOrdinaryPrototypes(kept);
  });
});
