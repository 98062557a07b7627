import { specFor } from '../testing/decider-spec';
import { accountDecider, type AccountEvent } from './account';
import { MAX_CUSTOM_ATTRIBUTES, type DeclareCustomAttribute } from './custom-attributes';

const spec = specFor(accountDecider);
const at = '2026-01-01T00:00:00.000Z';
const ENTRA = 'urn:ietf:params:scim:schemas:extension:Contoso:2.0:User';
const created: AccountEvent = { type: 'AccountCreated', data: { accountId: 'a1', name: 'Acme', createdAt: at } };

const declare = (overrides: Partial<DeclareCustomAttribute> = {}): DeclareCustomAttribute => ({
  type: 'DeclareCustomAttribute',
  resourceType: 'User',
  schemaUrn: ENTRA,
  name: 'costCode',
  attributeType: 'string',
  multiValued: false,
  caseExact: false,
  required: false,
  uniqueness: 'none',
  description: 'Billing code',
  at,
  ...overrides,
});

const declared = (overrides: Partial<Extract<AccountEvent, { type: 'CustomAttributeDeclared' }>['data']> = {}): AccountEvent => ({
  type: 'CustomAttributeDeclared',
  data: {
    accountId: 'a1',
    resourceType: 'User',
    schemaUrn: ENTRA,
    name: 'costCode',
    type: 'string',
    multiValued: false,
    caseExact: false,
    required: false,
    uniqueness: 'none',
    description: 'Billing code',
    declaredAt: at,
    ...overrides,
  },
});

describe('custom attributes of an account', () => {
  it('declares an attribute of an extension schema, name and URN trimmed', () =>
    spec.given([created]).when(declare({ name: ' costCode ', schemaUrn: ` ${ENTRA}` })).then([declared()]));

  it('keeps the first spelling of a URN for later attributes of the same schema', () =>
    spec
      .given([created, declared()])
      .when(declare({ schemaUrn: ENTRA.toUpperCase().replace('URN:', 'urn:'), name: 'badge', attributeType: 'integer', multiValued: true }))
      .then([declared({ name: 'badge', type: 'integer', multiValued: true })]));

  it('keeps the declarations in the state, in order', () => {
    const state = [created, declared(), declared({ name: 'badge' })].reduce(accountDecider.evolve, accountDecider.initialState);
    expect(state.status === 'open' && state.customAttributes.map((a) => a.name)).toEqual(['costCode', 'badge']);
  });

  it('refuses the same name twice in one schema, whatever its case', () =>
    spec.given([created, declared()]).when(declare({ name: 'COSTCODE' })).thenRejects('custom_attribute_already_declared'));

  it.each([
    ['a URN that is not one', { schemaUrn: 'Contoso' }],
    ['an http schema id', { schemaUrn: 'http://example.com/schema' }],
    ['the core User schema', { schemaUrn: 'urn:ietf:params:scim:schemas:core:2.0:User' }],
    ['the enterprise extension', { schemaUrn: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' }],
    ['a name with a dot', { name: 'cost.code' }],
    ['a name starting with a digit', { name: '1code' }],
    ['__proto__', { name: '__proto__' }],
    ['constructor', { name: 'constructor' }],
    ['toString in another case', { name: 'ToString' }],
    ['an unknown type', { attributeType: 'complex' }],
    ['an unknown resource type', { resourceType: 'Device' }],
    ['groups (not offered yet)', { resourceType: 'Group' }],
    ['server uniqueness (not offered yet)', { uniqueness: 'server' }],
    ['an unknown uniqueness', { uniqueness: 'global' }],
  ])('refuses %s', (_what, overrides) => spec.given([created]).when(declare(overrides)).thenRejects('invalid_custom_attribute'));

  it(`refuses more than ${MAX_CUSTOM_ATTRIBUTES} attributes`, () => {
    const many = Array.from({ length: MAX_CUSTOM_ATTRIBUTES }, (_, i) => declared({ name: `a${i}` }));
    spec.given([created, ...many]).when(declare({ name: 'oneMore' })).thenRejects('invalid_custom_attribute');
  });

  it('switches what happens to undeclared extensions, once per change', () => {
    const noted: AccountEvent = { type: 'UndeclaredExtensionsPolicySet', data: { accountId: 'a1', policy: 'note', setAt: at } };
    spec.given([created]).when({ type: 'SetUndeclaredExtensionsPolicy', policy: 'note', at }).then([noted]);
    spec.given([created, noted]).when({ type: 'SetUndeclaredExtensionsPolicy', policy: 'note', at }).then([]);
    spec.given([created]).when({ type: 'SetUndeclaredExtensionsPolicy', policy: 'refuse', at }).then([]);
    spec.given([created]).when({ type: 'SetUndeclaredExtensionsPolicy', policy: 'drop', at }).thenRejects('invalid_custom_attribute');
  });

  it('refuses a declaration for a missing account', () => spec.given([]).when(declare()).thenRejects('account_not_found'));
});
