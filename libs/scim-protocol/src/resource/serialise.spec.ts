import { renderUser, type UserRenderInput } from './render';
import { jsonStringContent, serialiseUser, splitAtBaseUrl, userJsonWithoutBaseUrl, userReadModelForms, userReadModelFormsAtVersion, type SerialisedResource } from './serialise';

const completed = (serialised: SerialisedResource, baseUrl: string) => serialised.beforeBaseUrl + jsonStringContent(baseUrl) + serialised.afterBaseUrl;

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
  // Values that look like the key the base URL is found after, and characters JSON escapes.
  tricky: {
    id: 'u"location":"x',
    profile: { userName: '"location":"\\', displayName: 'Zoë \u2028 "quoted" \n', title: 'meta' },
    active: true,
    meta: { ...meta, version: 0 },
  },
};

const baseUrls = ['https://scim.example.com/scim/v2/a1', '', 'http://h:8080/scim/v2/a%22b', 'http://xn--zo-9ja.example/"odd"\\path'];

describe('serialiseUser', () => {
  it.each(Object.entries(users))('gives the JSON of the rendered user (%s) for any base URL', (_, input) => {
    const serialised = serialiseUser(input);
    for (const baseUrl of baseUrls) {
      expect(completed(serialised, baseUrl)).toBe(JSON.stringify(renderUser(input, baseUrl)));
    }
  });

  it('leaves the base URL out of what it keeps', () => {
    const serialised = serialiseUser(users.full);
    expect(serialised.beforeBaseUrl.endsWith('"location":"')).toBe(true);
    expect(serialised.afterBaseUrl.startsWith(`/Users/${users.full.id}"`)).toBe(true);
  });
});

describe('userJsonWithoutBaseUrl', () => {
  it.each(Object.entries(users))('is the rendered user (%s) with an empty base URL, and split gives it for any base URL', (_, input) => {
    const stored = userJsonWithoutBaseUrl(input);
    expect(stored).toBe(JSON.stringify(renderUser(input, '')));
    for (const baseUrl of baseUrls) {
      expect(completed(splitAtBaseUrl(stored), baseUrl)).toBe(JSON.stringify(renderUser(input, baseUrl)));
    }
  });
});

describe('userReadModelFormsAtVersion', () => {
  const atVersion = (input: UserRenderInput, version: number): UserRenderInput => ({ ...input, meta: { ...input.meta, version } });

  it.each(Object.entries(users))('gives the forms of a full rendering at the new version (%s), byte for byte', (_, input) => {
    for (const version of [input.meta.version + 1, 9, 10, 100, 1_000_000]) {
      const moved = userReadModelFormsAtVersion(userReadModelForms(input), input.meta.version, version);
      const full = userReadModelForms(atVersion(input, version));
      expect(moved?.json).toBe(full.json);
      expect(JSON.stringify(moved?.search)).toBe(JSON.stringify(full.search));
    }
  });

  it('declines forms that are not at the version named', () => {
    const forms = userReadModelForms(users.full);
    expect(userReadModelFormsAtVersion(forms, users.full.meta.version + 1, 20)).toBeUndefined();
    expect(userReadModelFormsAtVersion({ ...forms, json: forms.json.slice(0, -1) }, users.full.meta.version, 20)).toBeUndefined();
    // A mirror that does not keep the tag as rendered (another schema's folding) is not guessed at.
    const folded = { ...forms.search, meta: { ...(forms.search.meta as object), version: 'w/"12"' } };
    expect(userReadModelFormsAtVersion({ ...forms, search: folded }, users.full.meta.version, 20)).toBeUndefined();
  });
});
