import { renderUser } from '../resource/render';
import { userResourceSchema } from '../schema/resource-schema';
import { searchMirror } from './search-mirror';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('searchMirror', () => {
  const resource = renderUser(
    {
      id: 'AbC-1',
      profile: {
        externalId: 'Ext-1',
        userName: 'Ann@Example.COM',
        name: { givenName: 'A\u0301NN' },
        emails: [{ value: 'Ann@X.com', type: 'Work', primary: true }],
        x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjEL' }],
        [ENTERPRISE]: { department: 'Ops', manager: { value: 'M-1', $ref: 'https://x/Users/M-1' } },
      },
      active: true,
      meta: { created: '2024-01-01T00:00:00Z', lastModified: '2024-01-02T03:04:05.600Z', version: 7 },
    },
    'https://Example.com/scim',
  );
  const mirror = searchMirror(resource, userResourceSchema);

  it('folds caseExact=false strings (NFC, lower case) and keeps caseExact ones', () => {
    expect(mirror).toMatchObject({
      id: 'AbC-1',
      externalId: 'Ext-1',
      userName: 'ann@example.com',
      name: { givenName: '\u00e1nn' },
      emails: [{ value: 'ann@x.com', type: 'work', primary: true }],
      active: true,
    });
  });

  it('keeps binary values exactly (base64 is case-sensitive)', () => {
    expect(mirror.x509Certificates).toEqual([{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjEL' }]);
  });

  it('moves the extension under "enterprise" and drops $ref', () => {
    expect(mirror.enterprise).toEqual({ department: 'ops', manager: { value: 'm-1' } });
    expect(mirror).not.toHaveProperty(ENTERPRISE);
  });

  it('keeps meta dateTimes as canonical ISO strings, and schemas as is', () => {
    expect(mirror.meta).toEqual({
      resourceType: 'User',
      created: '2024-01-01T00:00:00.000Z',
      lastModified: '2024-01-02T03:04:05.600Z',
      location: 'https://Example.com/scim/Users/AbC-1',
      version: 'W/"7"',
    });
    expect(mirror.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
  });

  it('drops unknown keys, nulls and empty values', () => {
    expect(searchMirror({ userName: 'a', foo: 'bar', title: null, emails: [], name: {}, nickName: '' }, userResourceSchema)).toEqual({ userName: 'a' });
  });
});
