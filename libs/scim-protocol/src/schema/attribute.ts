/** RFC 7643 §2.3 data types. */
export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** An attribute definition with the characteristics of RFC 7643 §2.2 and §7. */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly subAttributes?: readonly AttributeDefinition[];
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly description: string;
  /** Longest string value when not the default of RESOURCE_LIMITS (limits.ts). */
  readonly maxLength?: number;
  /** Most values of a multi-valued attribute when not the default of RESOURCE_LIMITS. */
  readonly maxValues?: number;
}

/** A schema (RFC 7643 §7): its URN id, a name, and its attributes. */
export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'description'>>;

/** RFC 7643 §2.2 defaults: string, single-valued, optional, caseExact false, readWrite, returned default. */
export function attribute(name: string, description: string, options: Options = {}): AttributeDefinition {
  return {
    name,
    type: 'string',
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    description,
    ...options,
  };
}

export function complex(name: string, description: string, subAttributes: readonly AttributeDefinition[], options: Options = {}): AttributeDefinition {
  return attribute(name, description, { type: 'complex', subAttributes, ...options });
}

/**
 * The value/display/type/primary quartet of RFC 7643 §2.4 shared by most multi-valued attributes.
 */
export function multiValued(
  name: string,
  description: string,
  types: readonly string[],
  value: Options = {},
  options: Options = {},
): AttributeDefinition {
  return complex(
    name,
    description,
    [
      attribute('value', `The value of ${name}.`, value),
      attribute('display', 'A human-readable name, primarily used for display purposes.'),
      attribute('type', `A label indicating the ${name} function.`, types.length ? { canonicalValues: types } : {}),
      attribute('primary', `Whether this is the primary ${name} value.`, { type: 'boolean' }),
    ],
    { multiValued: true, ...options },
  );
}

/** Case-insensitive lookup of a sub-attribute (RFC 7643 §2.1: names are case-insensitive). */
export function subAttribute(parent: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return parent.subAttributes && findAttribute(parent.subAttributes, name);
}

/** Case-insensitive lookup of an attribute among definitions: the first whose name matches. */
export function findAttribute(attributes: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const index = nameIndexOf(attributes);
  // Bodies nearly always use the schema's casing: a hit needs no lower-cased copy of the name.
  return index.exact.get(name) ?? index.folded.get(name.toLowerCase());
}

interface NameIndex {
  /** Names in schema casing, each only when it is also what its lower-cased form finds. */
  readonly exact: Map<string, AttributeDefinition>;
  readonly folded: Map<string, AttributeDefinition>;
}

// Made once per definition list (lists are never changed once built): a request body's every
// attribute and sub-attribute is looked up, and a scan lower-cased each candidate's name.
const nameIndexes = new WeakMap<readonly AttributeDefinition[], NameIndex>();

function nameIndexOf(attributes: readonly AttributeDefinition[]): NameIndex {
  let index = nameIndexes.get(attributes);
  if (index) return index;
  const exact = new Map<string, AttributeDefinition>();
  const folded = new Map<string, AttributeDefinition>();
  for (const attr of attributes) {
    const key = attr.name.toLowerCase();
    if (folded.has(key)) continue;
    folded.set(key, attr);
    exact.set(attr.name, attr);
  }
  index = { exact, folded };
  nameIndexes.set(attributes, index);
  return index;
}
