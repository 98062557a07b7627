import { searchMirror } from '../filter/search-mirror';
import { userResourceSchema } from '../schema/resource-schema';
import { renderUser, type UserRenderInput } from './render';
import { searchAtVersion, storedUserForms, userJson } from './serialise';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const meta = { created: '2024-01-01T00:00:00.000Z', lastModified: '2024-02-01T00:00:00.000Z', version: 12 };

const users: Record<string, UserRenderInput> = {
  minimal: { id: 'u1', profile: { userName: 'ann' }, active: true, meta },
  full: {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    profile: {
      userName: 'ann@example.com',
      externalId: '00u1',
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [{ value: 'ann@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Ops', manager: { value: 'm1', $ref: '../Users/m1' } },
    },
    active: false,
    meta,
  },
  // Characters JSON escapes, and values that look like the members appended.
  tricky: {
    id: 'u"meta":{}',
    profile: { userName: '"meta":"\\}', displayName: 'Zoë \u2028 "quoted" \n}', title: 'meta' },
    active: true,
    meta: { ...meta, version: 0 },
  },
};

const baseUrls = ['https://scim.example.com/scim/v2/a1', '', 'http://h:8080/scim/v2/a%22b', 'http://xn--zo-9ja.example/"odd"\\path'];
const groups = [{ value: 'g1', display: 'Admins "all"' }, { value: 'g2', display: 'Ops' }];

describe('userJson', () => {
  it.each(Object.entries(users))('gives the JSON of the rendered user (%s) from its stored resource, for any base URL', (_, input) => {
    const { resourceJson } = storedUserForms(input);
    for (const baseUrl of baseUrls) {
      expect(userJson(resourceJson, input.id, input.meta, baseUrl)).toBe(JSON.stringify(renderUser(input, baseUrl)));
      expect(userJson(resourceJson, input.id, input.meta, baseUrl, groups)).toBe(JSON.stringify(renderUser({ ...input, groups }, baseUrl)));
    }
  });

  it('stores no meta: a new revision of an unchanged user keeps its stored JSON', () => {
    const { resourceJson } = storedUserForms(users.full);
    expect(JSON.parse(resourceJson)).not.toHaveProperty('meta');
    expect(storedUserForms({ ...users.full, meta: { ...meta, version: 13 } }).resourceJson).toBe(resourceJson);
  });
});

describe('storedUserForms search mirror', () => {
  it.each(Object.entries(users))('is the mirror of the rendered user (%s) without its location', (_, input) => {
    const { meta: renderedMeta, ...rendered } = renderUser(input, 'https://x');
    const { location: _location, ...searchableMeta } = renderedMeta as Record<string, unknown>;
    expect(storedUserForms(input).search).toEqual(searchMirror({ ...rendered, meta: searchableMeta }, userResourceSchema));
  });

  it('moves to another version as a fresh mirror would', () => {
    const at13 = { ...users.full, meta: { ...meta, version: 13 } };
    expect(searchAtVersion(storedUserForms(users.full).search, 13)).toEqual(storedUserForms(at13).search);
  });
});
