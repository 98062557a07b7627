import type { DomainEvent } from '../decider';
import { DomainError } from '../domain-error';

/** RFC 7643 §2.3 types an account admin may give a custom attribute (no complex, no binary). */
export const CUSTOM_ATTRIBUTE_TYPES = ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference'] as const;
export type CustomAttributeType = (typeof CUSTOM_ATTRIBUTE_TYPES)[number];

/** Resource types custom attributes extend; groups are not offered yet (their profile has no extension bag). */
export const CUSTOM_ATTRIBUTE_RESOURCE_TYPES = ['User'] as const;
export type CustomAttributeResourceType = (typeof CUSTOM_ATTRIBUTE_RESOURCE_TYPES)[number];

/** One attribute of an account's schema extension, with its RFC 7643 §2.2 characteristics. */
export interface CustomAttributeDefinition {
  readonly resourceType: CustomAttributeResourceType;
  /** The extension schema's URN, as the IdP sends it (`urn:ietf:params:scim:schemas:extension:Contoso:2.0:User`). */
  readonly schemaUrn: string;
  readonly name: string;
  readonly type: CustomAttributeType;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly required: boolean;
  /** Only `none`: `server` would need a reservation stream per value (as userName has), not built yet. */
  readonly uniqueness: 'none';
  readonly description: string;
  readonly declaredAt: string;
}

export type CustomAttributeDeclared = DomainEvent<'CustomAttributeDeclared', { readonly accountId: string } & CustomAttributeDefinition>;

/**
 * What SCIM writes do with an extension the account has not declared: `refuse` it (400, the
 * default), or, while an IdP is being migrated, `note` it — accept the request without those
 * values and record their URN in the event's notes.
 */
export type UndeclaredExtensionsPolicy = 'refuse' | 'note';
export const UNDECLARED_EXTENSIONS_POLICIES: readonly UndeclaredExtensionsPolicy[] = ['refuse', 'note'];

export type UndeclaredExtensionsPolicySet = DomainEvent<
  'UndeclaredExtensionsPolicySet',
  { readonly accountId: string; readonly policy: UndeclaredExtensionsPolicy; readonly setAt: string }
>;

export interface SetUndeclaredExtensionsPolicy {
  readonly type: 'SetUndeclaredExtensionsPolicy';
  readonly policy: string;
  readonly at: string;
}

/** The policy change, if it changes anything. */
export function decideUndeclaredExtensionsPolicy(command: SetUndeclaredExtensionsPolicy, current: UndeclaredExtensionsPolicy, accountId: string): UndeclaredExtensionsPolicySet[] {
  const policy = oneOf(UNDECLARED_EXTENSIONS_POLICIES, command.policy, 'undeclaredExtensions');
  return policy === current ? [] : [{ type: 'UndeclaredExtensionsPolicySet', data: { accountId, policy, setAt: command.at } }];
}

export interface DeclareCustomAttribute {
  readonly type: 'DeclareCustomAttribute';
  readonly resourceType: string;
  readonly schemaUrn: string;
  readonly name: string;
  readonly attributeType: string;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly required: boolean;
  readonly uniqueness: string;
  readonly description: string;
  readonly at: string;
}

/** Enough for Entra's and Okta's app profiles; bounds every user body's schema walk. */
export const MAX_CUSTOM_ATTRIBUTES = 100;

// RFC 8141 NID and NSS characters, without '#' '?' (a path would not survive them) and with a length bound.
const SCHEMA_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(?::[A-Za-z0-9()+,\-.=@;$_!*'%/]+)+$/;
const MAX_URN_LENGTH = 200;
// RFC 7643 §2.1 ATTRNAME: ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA.
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Names that are properties of every JavaScript object: refused, so no reader can mistake them for inherited ones. */
const RESERVED_NAMES = new Set(['constructor', 'prototype', 'hasownproperty', 'isprototypeof', 'tostring', 'valueof', 'tolocalestring', 'propertyisenumerable']);
/** Schemas the service defines itself (RFC 7643 §8.7). */
const RESERVED_URN_PREFIXES = ['urn:ietf:params:scim:schemas:core:', 'urn:ietf:params:scim:api:', 'urn:ietf:params:scim:schemas:extension:enterprise:'];

const invalid = (message: string) => new DomainError('invalid_custom_attribute', message);

const oneOf = <T extends string>(allowed: readonly T[], value: string, what: string): T => {
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`${what} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
};

/**
 * Decides a declaration against the attributes already declared. Names compare case-insensitively
 * (RFC 7643 §2.1), and so do URNs; one URN extends one resource type.
 */
export function decideCustomAttribute(command: DeclareCustomAttribute, declared: readonly CustomAttributeDefinition[], accountId: string): CustomAttributeDeclared {
  const resourceType = oneOf(CUSTOM_ATTRIBUTE_RESOURCE_TYPES, command.resourceType, 'resourceType');
  const type = oneOf(CUSTOM_ATTRIBUTE_TYPES, command.attributeType, 'type');
  if (command.uniqueness === 'server') {
    throw invalid('uniqueness "server" is not offered for custom attributes yet: declare it with uniqueness "none"');
  }
  oneOf(['none'], command.uniqueness, 'uniqueness');
  const schemaUrn = command.schemaUrn.trim();
  if (schemaUrn.length > MAX_URN_LENGTH || !SCHEMA_URN.test(schemaUrn)) {
    throw invalid(`schemaUrn must be a URN of at most ${MAX_URN_LENGTH} characters, such as urn:ietf:params:scim:schemas:extension:Contoso:2.0:User; got "${command.schemaUrn}"`);
  }
  const urnKey = schemaUrn.toLowerCase();
  if (RESERVED_URN_PREFIXES.some((prefix) => urnKey.startsWith(prefix))) throw invalid(`schemaUrn "${schemaUrn}" is a schema the service defines itself`);
  const name = command.name.trim();
  if (!ATTRIBUTE_NAME.test(name)) throw invalid(`name must start with a letter and hold only letters, digits, '_' or '-' (at most 64); got "${command.name}"`);
  if (RESERVED_NAMES.has(name.toLowerCase())) throw invalid(`"${name}" is reserved: choose another attribute name`);
  const sameUrn = declared.filter((d) => d.schemaUrn.toLowerCase() === urnKey);
  if (sameUrn.some((d) => d.resourceType !== resourceType)) throw invalid(`schemaUrn "${schemaUrn}" already extends another resource type`);
  if (sameUrn.some((d) => d.name.toLowerCase() === name.toLowerCase())) {
    throw new DomainError('custom_attribute_already_declared', `Attribute "${name}" is already declared in ${schemaUrn}`);
  }
  if (declared.length >= MAX_CUSTOM_ATTRIBUTES) throw invalid(`An account may declare at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes`);
  // The first declaration's spelling of the URN is the schema's id: later ones reuse it.
  const canonicalUrn = sameUrn[0]?.schemaUrn ?? schemaUrn;
  const { multiValued, caseExact, required, description, at } = command;
  return {
    type: 'CustomAttributeDeclared',
    data: { accountId, resourceType, schemaUrn: canonicalUrn, name, type, multiValued, caseExact, required, uniqueness: 'none', description, declaredAt: at },
  };
}

/** The definition an event records (without the account id). */
export function customAttributeOf({ accountId: _accountId, ...definition }: CustomAttributeDeclared['data']): CustomAttributeDefinition {
  return definition;
}
