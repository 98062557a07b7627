import { groupResourceSchema, splitAttributePath, userResourceSchema } from './resource-schema';
import { resourceTypesResources, schemasResources, serviceProviderConfig } from './discovery';
import { attribute, findAttribute, subAttribute, type AttributeDefinition } from './attribute';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('findAttribute', () => {
  const attributes = [attribute('userName', 'a'), attribute('nickName', 'b'), attribute('NICKNAME', 'c')];

  it('finds a name in any casing, the first of names that differ only in case, and nothing for others', () => {
    expect(findAttribute(attributes, 'userName')?.description).toBe('a');
    expect(findAttribute(attributes, 'USERNAME')?.description).toBe('a');
    expect(findAttribute(attributes, 'NICKNAME')?.description).toBe('b');
    expect(findAttribute(attributes, 'nickname')?.description).toBe('b');
    expect(findAttribute(attributes, 'user')).toBeUndefined();
    expect(findAttribute(attributes, '__proto__')).toBeUndefined();
    expect(findAttribute(attributes, 'constructor')).toBeUndefined();
  });

  it('looks sub-attributes up the same way', () => {
    const name = userResourceSchema.resolve('name')!.attribute;
    expect(subAttribute(name, 'GIVENNAME')?.name).toBe('givenName');
    expect(subAttribute(attribute('plain', 'no sub-attributes'), 'value')).toBeUndefined();
  });
});

describe('splitAttributePath', () => {
  it.each([
    ['userName', { name: 'userName' }],
    ['name.familyName', { name: 'name', subAttr: 'familyName' }],
    ['members.$ref', { name: 'members', subAttr: '$ref' }],
    [`${ENTERPRISE}:employeeNumber`, { uri: ENTERPRISE, name: 'employeeNumber' }],
    [`${ENTERPRISE}:manager.value`, { uri: ENTERPRISE, name: 'manager', subAttr: 'value' }],
  ])('%s', (text, parts) => {
    expect(splitAttributePath(text)).toEqual(parts);
  });

  it.each(['', 'a.b.c', '1abc', 'name.', 'emails[type eq "work"]', 'user name'])('rejects %j', (text) => {
    expect(splitAttributePath(text)).toBeUndefined();
  });
});

describe('userResourceSchema.resolve', () => {
  it('finds attributes case-insensitively, in schema casing', () => {
    expect(userResourceSchema.resolve('USERNAME')?.attribute.name).toBe('userName');
    const r = userResourceSchema.resolve('Name.GivenName');
    expect([r?.attribute.name, r?.subAttribute?.name]).toEqual(['name', 'givenName']);
  });

  it('finds common attributes (id, externalId, meta.lastModified)', () => {
    expect(userResourceSchema.resolve('id')?.attribute).toMatchObject({ mutability: 'readOnly', returned: 'always', caseExact: true });
    expect(userResourceSchema.resolve('externalId')?.attribute.caseExact).toBe(true);
    expect(userResourceSchema.resolve('meta.lastModified')?.subAttribute?.type).toBe('dateTime');
  });

  it('finds core attributes under the core URN', () => {
    expect(userResourceSchema.resolve(`${CORE}:userName`)).toMatchObject({ schemaUrn: CORE, unqualified: false });
    expect(userResourceSchema.resolve(`${CORE.toUpperCase()}:name.familyName`)?.subAttribute?.name).toBe('familyName');
  });

  it('finds enterprise attributes under their URN, and unqualified when unambiguous (noted as such)', () => {
    const qualified = userResourceSchema.resolve(`${ENTERPRISE}:manager.value`);
    expect(qualified).toMatchObject({ schemaUrn: ENTERPRISE, unqualified: false });
    expect(qualified?.extension?.mirrorKey).toBe('enterprise');
    expect(userResourceSchema.resolve('manager')).toMatchObject({ schemaUrn: ENTERPRISE, unqualified: true });
  });

  it('returns undefined for unknown attributes, sub-attributes and schemas', () => {
    expect(userResourceSchema.resolve('foo')).toBeUndefined();
    expect(userResourceSchema.resolve('name.foo')).toBeUndefined();
    expect(userResourceSchema.resolve('urn:example:unknown:foo')).toBeUndefined();
    expect(userResourceSchema.resolve(`${ENTERPRISE}:userName`)).toBeUndefined();
    expect(groupResourceSchema.resolve('userName')).toBeUndefined();
  });

  it('has the RFC 7643 characteristics that drive behaviour', () => {
    const attr = (path: string) => userResourceSchema.resolve(path)!;
    expect(attr('password').attribute).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(attr('groups').attribute).toMatchObject({ mutability: 'readOnly', multiValued: true });
    expect(attr('userName').attribute).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });
    expect(attr('manager.displayName').subAttribute?.mutability).toBe('readOnly');
    expect(attr('emails.primary').subAttribute?.type).toBe('boolean');
    expect(attr('x509Certificates.value').subAttribute?.type).toBe('binary');
    expect(groupResourceSchema.resolve('members.value')?.subAttribute?.mutability).toBe('immutable');
    expect(groupResourceSchema.resolve('displayName')?.attribute.required).toBe(true);
  });

  it('knows the schemas of the resource type', () => {
    expect(userResourceSchema.knowsSchema(ENTERPRISE.toLowerCase())).toBe(true);
    expect(userResourceSchema.knowsSchema('urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User')).toBe(false);
  });
});

describe('discovery documents', () => {
  const base = 'https://scim.example.com/scim/v2/acct-1';

  it('lists User, Enterprise User and Group schemas, with meta.location', () => {
    const schemas = schemasResources(base);
    expect(schemas.map((s) => s.id)).toEqual([CORE, ENTERPRISE, 'urn:ietf:params:scim:schemas:core:2.0:Group']);
    expect(schemas[0]).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      name: 'User',
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${CORE}` },
    });
  });

  it('renders attributes with every characteristic of RFC 7643 §7', () => {
    const user = schemasResources(base)[0];
    const emails = user.attributes.find((a) => a.name === 'emails') as Record<string, unknown> & { subAttributes: AttributeDefinition[] };
    expect(emails).toMatchObject({ type: 'complex', multiValued: true, required: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' });
    expect(emails.subAttributes.find((s) => s.name === 'type')).toMatchObject({ canonicalValues: ['work', 'home', 'other'], caseExact: false });
    expect(user.attributes.find((a) => a.name === 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(user.attributes.find((a) => a.name === 'profileUrl')).toMatchObject({ referenceTypes: ['external'] });
    // Common attributes are not part of a schema's attribute list (RFC 7643 §8.7.1).
    expect(user.attributes.map((a) => a.name)).not.toContain('id');
  });

  it('states the size limits in the attribute descriptions', () => {
    const [user, , group] = schemasResources(base);
    const find = (schema: typeof user, name: string) => schema.attributes.find((a) => a.name === name) as { description: string; subAttributes?: { name: string; description: string }[] };
    expect(find(user, 'displayName').description).toMatch(/ At most 4096 characters\.$/);
    expect(find(user, 'userName').description).toMatch(/ At most 256 characters\.$/);
    expect(find(user, 'emails').description).toMatch(/ At most 100 values\.$/);
    expect(find(user, 'emails').subAttributes?.find((s) => s.name === 'value')?.description).toMatch(/ At most 4096 characters\.$/);
    expect(find(user, 'active').description).not.toContain('At most');
    expect(find(user, 'groups').description).not.toContain('At most');
    expect(find(group, 'members').description).not.toContain('values');
  });

  it('renders manager with a read-only displayName in the enterprise schema', () => {
    const manager = schemasResources(base)[1].attributes.find((a) => a.name === 'manager') as { subAttributes: Record<string, unknown>[] };
    expect(manager.subAttributes.map((s) => [s.name, s.mutability])).toEqual([
      ['value', 'readWrite'],
      ['$ref', 'readWrite'],
      ['displayName', 'readOnly'],
    ]);
  });

  it('lists the User resource type with the enterprise extension not required, and Group', () => {
    expect(resourceTypesResources(base)).toEqual([
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        description: 'User Account',
        schema: CORE,
        schemaExtensions: [{ schema: ENTERPRISE, required: false }],
        meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
      },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'Group',
        name: 'Group',
        endpoint: '/Groups',
        description: 'Group',
        schema: 'urn:ietf:params:scim:schemas:core:2.0:Group',
        meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
      },
    ]);
  });

  it('tells the truth in ServiceProviderConfig', () => {
    const config = serviceProviderConfig(base, { maxResults: 1000 });
    expect(config).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
    });
    expect(config.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken', primary: true })]);
    expect(config).not.toHaveProperty('documentationUri');
    expect(serviceProviderConfig(base, { maxResults: 5, documentationUri: 'https://docs' })).toMatchObject({ documentationUri: 'https://docs' });
  });
});
