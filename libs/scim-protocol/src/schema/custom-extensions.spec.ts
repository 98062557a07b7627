import { selectAttributes } from '../attributes';
import { parseFilter } from '../filter/parser';
import { searchMirror } from '../filter/search-mirror';
import { filterToQuery } from '../filter/to-query';
import { sortPath } from '../filter/sort-and-attributes';
import { parsePatchRequest } from '../patch/patch-request';
import { applyUserPatch } from '../patch/user-patch';
import { renderUser } from '../resource/render';
import { normalizeUserProfile } from '../resource/user-profile';
import { ScimError } from '../scim-error';
import { matchesQuery } from '../testing/evaluate-query';
import { ScimUrn } from '../urns';
import { accountSchemas, customMirrorKey, type DeclaredAttribute } from './custom-extensions';
import { resourceTypesResources, schemasResources } from './discovery';
import { userResourceSchema } from './resource-schema';

const ENTRA = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const OKTA = 'urn:ietf:params:scim:schemas:custom:Space';
const declare = (schemaUrn: string, name: string, rest: Partial<DeclaredAttribute> = {}): DeclaredAttribute => ({
  resourceType: 'User',
  schemaUrn,
  name,
  type: 'string',
  multiValued: false,
  caseExact: false,
  required: false,
  description: '',
  ...rest,
});
const declared = [
  declare(ENTRA, 'costCenterCode'),
  declare(ENTRA, 'badge', { caseExact: true }),
  declare(ENTRA, 'hiredOn', { type: 'dateTime' }),
  declare(OKTA, 'custom1'),
  declare(OKTA, 'skills', { multiValued: true }),
  declare(OKTA, 'level', { type: 'integer' }),
];
const { user: schema } = accountSchemas(declared);

function refusal(run: () => unknown): ScimError {
  try {
    run();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

const entraBody = {
  schemas: [ScimUrn.User, ENTRA],
  userName: 'ann@contoso.example',
  active: true,
  [ENTRA]: { costCenterCode: 'CC-7', badge: 'Ab12', hiredOn: '2024-03-01T09:00:00+01:00' },
};

describe('account-declared schema extensions', () => {
  it('reads an Entra-style and an Okta-style extension into the profile, typed and in declaration order', () => {
    const { profile, notes } = normalizeUserProfile(
      { ...entraBody, schemas: [ScimUrn.User, ENTRA, OKTA], [OKTA]: { level: 3, skills: ['Go', 'SQL'], custom1: 'x' } },
      schema,
    );
    expect(profile).toEqual({
      userName: 'ann@contoso.example',
      [ENTRA]: { costCenterCode: 'CC-7', badge: 'Ab12', hiredOn: '2024-03-01T08:00:00.000Z' },
      [OKTA]: { custom1: 'x', skills: ['Go', 'SQL'], level: 3 },
    });
    expect(notes).toEqual([]);
  });

  it.each([
    ['an undeclared extension, naming its URN', { 'urn:ietf:params:scim:schemas:extension:Other:2.0:User': { a: 'b' } }, 'urn:ietf:params:scim:schemas:extension:Other:2.0:User'],
    ['an undeclared attribute of a declared extension', { [ENTRA]: { nope: 'b' } }, `${ENTRA}:nope`],
    ['an undeclared attribute sent under its full path', { [`${OKTA}:nope`]: 'b' }, `${OKTA}:nope`],
    ['a wrong type', { [OKTA]: { level: 'three' } }, `${OKTA}:level`],
    ['one value for a multi-valued attribute given as an object', { [OKTA]: { skills: { a: 1 } } }, `${OKTA}:skills`],
    ['an array for a single-valued one', { [OKTA]: { custom1: ['a', 'b'] } }, `${OKTA}:custom1`],
  ])('refuses %s with 400 invalidValue', (_what, extra, named) => {
    const error = refusal(() => normalizeUserProfile({ schemas: [ScimUrn.User], userName: 'a', ...extra }, schema));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.message).toContain(named);
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses %s as an attribute of a declared extension, and pollutes nothing', (name) => {
    const body = JSON.parse(`{"schemas":["${ScimUrn.User}"],"userName":"a","${OKTA}":{"${name}":{"polluted":true}}}`);
    expect(refusal(() => normalizeUserProfile(body, schema)).message).toContain(`${OKTA}:${name}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an undeclared extension also when the account declared none (never silently dropped)', () =>
    expect(refusal(() => normalizeUserProfile({ ...entraBody }))).toMatchObject({ status: 400, scimType: 'invalidValue' }));

  it('accepts and notes an undeclared extension when the account migrates (values left out, never a declared one)', () => {
    const { user: migrating } = accountSchemas(declared, 'note');
    const other = 'urn:ietf:params:scim:schemas:extension:Other:2.0:User';
    const { profile, notes } = normalizeUserProfile({ ...entraBody, [other]: { a: 'b' } }, migrating);
    expect(profile[other]).toBeUndefined();
    expect(profile[ENTRA]).toEqual(normalizeUserProfile(entraBody, schema).profile[ENTRA]);
    expect(notes).toEqual([`undeclared-extension-ignored:${other}`]);
    expect(refusal(() => normalizeUserProfile({ ...entraBody, [ENTRA]: { nope: 'b' } }, migrating))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const patched = applyUserPatch({ profile, active: true }, parsePatchRequest({ schemas: [ScimUrn.PatchOp], Operations: [{ op: 'replace', path: `${other}:a`, value: 'c' }] }), migrating);
    expect(patched).toMatchObject({ profile, notes: [`undeclared-extension-ignored:${other}:a`] });
  });

  it('keeps noting what it always noted: a URN only in "schemas", an unknown enterprise attribute', () => {
    const { notes } = normalizeUserProfile({ schemas: [ScimUrn.User, ENTRA], userName: 'a', [ScimUrn.EnterpriseUser]: { nope: 1 } });
    expect(notes).toEqual([`unknown-schema-ignored:${ENTRA}`, `unknown-attribute-ignored:${ScimUrn.EnterpriseUser}:nope`]);
  });

  it('requires a required attribute, also after a PATCH removes it', () => {
    const { user: strict } = accountSchemas([declare(ENTRA, 'costCenterCode', { required: true })]);
    expect(refusal(() => normalizeUserProfile({ schemas: [ScimUrn.User], userName: 'a' }, strict)).message).toContain(`${ENTRA}:costCenterCode" is required`);
    const current = { profile: normalizeUserProfile({ schemas: [ScimUrn.User], userName: 'a', [ENTRA]: { costCenterCode: 'x' } }, strict).profile, active: true };
    const remove = parsePatchRequest({ schemas: [ScimUrn.PatchOp], Operations: [{ op: 'remove', path: `${ENTRA}:costCenterCode` }] });
    expect(refusal(() => applyUserPatch(current, remove, strict))).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });

  describe('PATCH', () => {
    const current = { profile: normalizeUserProfile(entraBody, schema).profile, active: true };
    const patch = (operations: unknown[]) => applyUserPatch(current, parsePatchRequest({ schemas: [ScimUrn.PatchOp], Operations: operations }), schema);

    it("applies Entra's full-path Replace and a path-less replace of a whole extension (Okta)", () => {
      const { profile } = patch([
        { op: 'Replace', path: `${ENTRA}:costCenterCode`, value: 'CC-9' },
        { op: 'replace', value: { [OKTA]: { custom1: 'y', level: 4 } } },
        { op: 'add', path: `${OKTA}:skills`, value: 'Rust' },
      ]);
      expect(profile[ENTRA]).toEqual({ costCenterCode: 'CC-9', badge: 'Ab12', hiredOn: '2024-03-01T08:00:00.000Z' });
      expect(profile[OKTA]).toEqual({ custom1: 'y', skills: ['Rust'], level: 4 });
    });

    it('ignores "schemas" inside an extension object, as scim2-models serialises one', () => {
      const { profile, notes } = patch([{ op: 'add', path: OKTA, value: { schemas: [OKTA], custom1: 'z' } }]);
      expect(profile[OKTA]).toEqual({ custom1: 'z' });
      expect(notes).toEqual([`readonly-ignored:${OKTA}:schemas`]);
      expect(normalizeUserProfile({ schemas: [ScimUrn.User], userName: 'a', [OKTA]: { schemas: [OKTA], custom1: 'z' } }, schema).profile[OKTA]).toEqual({ custom1: 'z' });
    });

    it('removes an attribute, and the extension with its last one', () => {
      expect(patch([{ op: 'remove', path: `${ENTRA}:badge` }]).profile[ENTRA]).toEqual({ costCenterCode: 'CC-7', hiredOn: '2024-03-01T08:00:00.000Z' });
      expect(patch([{ op: 'remove', path: ENTRA }]).profile[ENTRA]).toBeUndefined();
    });

    it('refuses an undeclared extension with a path or inside a path-less value', () => {
      const other = 'urn:ietf:params:scim:schemas:extension:Other:2.0:User';
      expect(refusal(() => patch([{ op: 'replace', path: `${other}:a`, value: 'b' }]))).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(refusal(() => patch([{ op: 'replace', value: { [other]: { a: 'b' } } }]))).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(refusal(() => patch([{ op: 'replace', value: { [ENTRA]: { nope: 'b' } } }])).message).toContain(`${ENTRA}:nope`);
    });
  });

  describe('filters and sorting on the search mirror', () => {
    const users = [
      { id: 'u1', profile: normalizeUserProfile(entraBody, schema).profile },
      { id: 'u2', profile: normalizeUserProfile({ schemas: [ScimUrn.User], userName: 'bob', [ENTRA]: { costCenterCode: 'cc-8', badge: 'ab12' }, [OKTA]: { skills: ['Go'], level: 5 } }, schema).profile },
    ].map(({ id, profile }) => ({ id, search: searchMirror(renderUser({ id, profile, active: true, meta: { created: 'c', lastModified: 'm', version: 1 } }, ''), userResourceSchema) }));
    const matching = (filter: string) => users.filter((u) => matchesQuery(u, filterToQuery(parseFilter(filter), schema))).map((u) => u.id);

    it('compares caseExact=false values case-insensitively and caseExact ones exactly', () => {
      expect(matching(`${ENTRA}:costCenterCode eq "cc-7"`)).toEqual(['u1']);
      expect(matching(`${ENTRA}:costCenterCode sw "CC"`)).toEqual(['u1', 'u2']);
      expect(matching(`${ENTRA}:badge eq "Ab12"`)).toEqual(['u1']);
    });

    it('compares numbers, dateTimes and multi-valued values, and presence', () => {
      expect(matching(`${OKTA}:level gt 4`)).toEqual(['u2']);
      expect(matching(`${ENTRA}:hiredOn ge "2024-01-01T00:00:00Z"`)).toEqual(['u1']);
      expect(matching(`${OKTA}:skills eq "go"`)).toEqual(['u2']);
      expect(matching(`${OKTA}:level pr`)).toEqual(['u2']);
      expect(matching(`costCenterCode eq "CC-8"`)).toEqual(['u2']);
    });

    it('refuses a filter on an undeclared attribute, and sorts by the mirror form', () => {
      expect(refusal(() => filterToQuery(parseFilter(`${ENTRA}:nope eq "x"`), schema))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      expect(sortPath(`${ENTRA}:costCenterCode`, schema)).toBe(`search.customFolded.${customMirrorKey(ENTRA)}.costCenterCode`);
      expect(sortPath(`${OKTA}:level`, schema)).toBe(`search.customExact.${customMirrorKey(OKTA)}.level`);
    });
  });

  it('encodes URNs one-to-one into field names without dots', () => {
    expect(customMirrorKey(ENTRA)).toMatch(/^[a-z0-9_]+$/);
    expect(customMirrorKey('urn:a:b.c')).not.toBe(customMirrorKey('urn:a:b:c'));
    expect(customMirrorKey('urn:a:b_2ec')).not.toBe(customMirrorKey('urn:a:b.c'));
  });

  it('renders the extensions, lists their URNs in "schemas", and selects their attributes', () => {
    const resource = renderUser({ id: 'u1', profile: normalizeUserProfile(entraBody, schema).profile, active: true, meta: { created: 'c', lastModified: 'm', version: 1 } }, 'https://x');
    expect(resource.schemas).toEqual([ScimUrn.User, ENTRA]);
    expect(selectAttributes(resource, schema, { attributes: [`${ENTRA}:badge`] })).toEqual({ schemas: [ScimUrn.User, ENTRA], id: 'u1', [ENTRA]: { badge: 'Ab12' } });
    expect(selectAttributes(resource, schema, { excludedAttributes: [ENTRA] })[ENTRA]).toBeUndefined();
  });

  it('advertises the extensions in /Schemas and /ResourceTypes, required when an attribute is', () => {
    const { user: strict } = accountSchemas([declare(ENTRA, 'costCenterCode', { required: true }), declare(OKTA, 'custom1')]);
    const schemas = schemasResources('https://x', { user: strict });
    expect(schemas.map((s) => s.id)).toEqual([ScimUrn.User, ScimUrn.EnterpriseUser, ENTRA, OKTA, ScimUrn.Group]);
    expect(schemas[2]).toMatchObject({ name: 'CustomExtensionName', attributes: [{ name: 'costCenterCode', type: 'string', required: true, uniqueness: 'none' }] });
    expect(resourceTypesResources('https://x', { user: strict })[0].schemaExtensions).toEqual([
      { schema: ScimUrn.EnterpriseUser, required: false },
      { schema: ENTRA, required: true },
      { schema: OKTA, required: false },
    ]);
    expect(schemasResources('https://x').map((s) => s.id)).toEqual([ScimUrn.User, ScimUrn.EnterpriseUser, ScimUrn.Group]);
  });
});
