import { badRequest } from '../scim-error';
import { canonicalDateTime } from '../date-time';
import { isPlainObject } from '../json';
import type { Notes } from '../notes';
import { findAttribute, subAttribute, type AttributeDefinition } from '../schema/attribute';
import { maxLengthOf, maxValuesOf, RESOURCE_LIMITS } from '../schema/limits';
import type { ResourceSchema, SchemaExtension } from '../schema/resource-schema';

const invalidValue = (detail: string) => badRequest('invalidValue', detail);
const BOOLEAN_TEXT = /^(true|false)$/i;

/** The path of an attribute in notes and errors: RFC 7644 §3.10 notation, URN-qualified for extensions. */
export function attributePath(attr: AttributeDefinition, extension?: SchemaExtension, sub?: AttributeDefinition): string {
  const base = extension ? `${extension.schema.id}:${attr.name}` : attr.name;
  return sub ? `${base}.${sub.name}` : base;
}

/**
 * Canonical form of one attribute's value, validated against its definition: sub-attribute names
 * in schema casing, no nulls, no empty strings/arrays/objects (all "unassigned", RFC 7643 §2.5).
 * Undefined means unassigned. Throws 400 invalidValue on a wrong type.
 */
export function normalizeAttributeValue(def: AttributeDefinition, raw: unknown, path: string, notes: Notes): unknown {
  if (raw === undefined) return undefined;
  if (raw === null) {
    notes.add(`null-dropped:${path}`);
    return undefined;
  }
  if (def.multiValued) {
    if (!Array.isArray(raw)) throw invalidValue(`Attribute "${path}" is multi-valued: expected an array`);
    const maxValues = maxValuesOf(def);
    if (raw.length > maxValues) throw invalidValue(`Attribute "${path}" has ${raw.length} values; the limit is ${maxValues}`);
    const items: unknown[] = [];
    for (const item of raw) {
      if (item === null) {
        notes.add(`null-dropped:${path}`);
        continue;
      }
      if (Array.isArray(item)) throw invalidValue(`Attribute "${path}" holds a nested array`);
      const value = normalizeSingleValue(def, item, path, notes);
      if (value !== undefined) items.push(value);
    }
    if (items.length === 0) {
      notes.add(`empty-dropped:${path}`);
      return undefined;
    }
    if (def.type === 'complex') requireOnePrimary(items, path);
    return items;
  }
  if (Array.isArray(raw)) {
    if (raw.length === 0) {
      notes.add(`empty-dropped:${path}`);
      return undefined;
    }
    if (raw.length > 1 || Array.isArray(raw[0])) {
      throw invalidValue(`Attribute "${path}" is single-valued: expected one value, got an array of ${raw.length}`);
    }
    // Entra sends manager as [{"value": id}]: a one-element array for a single-valued attribute.
    notes.add(`single-value-unwrapped:${path}`);
    return normalizeAttributeValue(def, raw[0], path, notes);
  }
  return normalizeSingleValue(def, raw, path, notes);
}

/** RFC 7643 §2.4: the primary attribute value "true" MUST appear no more than once. */
export function requireOnePrimary(items: readonly unknown[], path: string): void {
  const primaries = items.filter((item) => isPlainObject(item) && item.primary === true).length;
  if (primaries > 1) throw invalidValue(`Attribute "${path}" has ${primaries} values with "primary": true; at most one is allowed`);
}

function normalizeSingleValue(def: AttributeDefinition, raw: unknown, path: string, notes: Notes): unknown {
  switch (def.type) {
    case 'complex': {
      let object = raw;
      if (typeof raw === 'string' && subAttribute(def, 'value')) {
        // Entra sends the manager as a bare id; some clients send roles as bare strings.
        notes.add(`bare-value-wrapped:${path}`);
        object = { value: raw };
      }
      if (!isPlainObject(object)) throw invalidValue(`Attribute "${path}" must be a complex value (a JSON object)`);
      return normalizeComplexValue(def, object, path, notes);
    }
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof raw !== 'string') throw invalidValue(`Attribute "${path}" must be a string`);
      if (raw.length > maxLengthOf(def)) throw invalidValue(`Attribute "${path}" is ${raw.length} characters long; the limit is ${maxLengthOf(def)}`);
      if (raw === '') {
        notes.add(`empty-dropped:${path}`);
        return undefined;
      }
      return raw;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && BOOLEAN_TEXT.test(raw)) {
        // Entra without the aadOptscim062020 flag: "active": "False".
        notes.add(`boolean-from-string:${path}`);
        return raw.toLowerCase() === 'true';
      }
      throw invalidValue(`Attribute "${path}" must be a boolean`);
    case 'integer':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) throw invalidValue(`Attribute "${path}" must be an integer`);
      return raw;
    case 'decimal':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw invalidValue(`Attribute "${path}" must be a number`);
      return raw;
    case 'dateTime': {
      const canonical = typeof raw === 'string' ? canonicalDateTime(raw) : undefined;
      if (canonical === undefined) throw invalidValue(`Attribute "${path}" must be an xsd:dateTime such as 2015-09-01T12:00:00Z`);
      return canonical;
    }
    default: {
      const _exhaustive: never = def.type;
      return _exhaustive;
    }
  }
}

/** Sub-attributes in schema order; read-only ones (manager.displayName) are ignored and noted. */
export function normalizeComplexValue(
  def: AttributeDefinition,
  object: Readonly<Record<string, unknown>>,
  path: string,
  notes: Notes,
): Record<string, unknown> | undefined {
  const values = new Map<string, unknown>();
  for (const key of Object.keys(object)) {
    const raw = object[key];
    const sub = subAttribute(def, key);
    if (!sub) {
      notes.add(`unknown-attribute-ignored:${path}.${key}`);
      continue;
    }
    const subPath = `${path}.${sub.name}`;
    if (values.has(sub.name)) throw invalidValue(`Attribute "${subPath}" is given more than once`);
    if (sub.mutability === 'readOnly') {
      notes.add(`readonly-ignored:${subPath}`);
      values.set(sub.name, undefined);
      continue;
    }
    values.set(sub.name, normalizeAttributeValue(sub, raw, subPath, notes));
  }
  const out: Record<string, unknown> = {};
  for (const sub of def.subAttributes ?? []) {
    const value = values.get(sub.name);
    if (value !== undefined) out[sub.name] = value;
  }
  if (Object.keys(out).length === 0) {
    notes.add(`empty-dropped:${path}`);
    return undefined;
  }
  return out;
}

/**
 * Reads the attributes of a resource body into their canonical shape: core attributes by schema
 * name, each extension under its full URN key. `schemas` is the caller's business; read-only
 * attributes are ignored (RFC 7644 §3.3, §3.5.1), `password` is discarded, unknown attributes are
 * ignored; all of it noted.
 */
export function normalizeResourceAttributes(
  schema: ResourceSchema,
  body: Readonly<Record<string, unknown>>,
  notes: Notes,
): Record<string, unknown> {
  const core = new Map<string, unknown>();
  const extensions = new Map<SchemaExtension, Map<string, unknown>>(schema.extensions.map((e) => [e, new Map()]));

  const put = (target: Map<string, unknown>, attr: AttributeDefinition, raw: unknown, path: string) => {
    if (target.has(attr.name)) throw invalidValue(`Attribute "${path}" is given more than once`);
    if (attr.mutability === 'readOnly') {
      notes.add(`readonly-ignored:${path}`);
      target.set(attr.name, undefined);
      return;
    }
    if (attr.mutability === 'writeOnly') {
      // RFC 7643 §4.1.1 password: this service never stores it.
      notes.add(attr.name === 'password' ? 'password-discarded' : `writeonly-discarded:${path}`);
      target.set(attr.name, undefined);
      return;
    }
    target.set(attr.name, normalizeAttributeValue(attr, raw, path, notes));
  };

  for (const key of Object.keys(body)) {
    const raw = body[key];
    if (isSchemasKey(key)) continue;
    const extension = schema.extension(key);
    if (extension) {
      if (raw === null) {
        notes.add(`null-dropped:${extension.schema.id}`);
        continue;
      }
      if (!isPlainObject(raw)) throw invalidValue(`Extension "${extension.schema.id}" must be a JSON object`);
      for (const [name, value] of Object.entries(raw)) {
        if (isSchemasKey(name)) {
          notes.add(`readonly-ignored:${extension.schema.id}:schemas`);
          continue;
        }
        const attr = findAttribute(extension.schema.attributes, name);
        if (!attr) unknownUrnKey(schema, `${extension.schema.id}:${name}`, notes);
        else put(extensions.get(extension)!, attr, value, attributePath(attr, extension));
      }
      continue;
    }
    if (/^urn:/i.test(key)) {
      // "urn:…:enterprise:2.0:User:employeeNumber": an attribute sent under its full path.
      const resolved = schema.resolve(key);
      if (raw === null && !resolved) {
        notes.add(`null-dropped:${key}`);
        continue;
      }
      if (!resolved || resolved.subAttribute) {
        unknownUrnKey(schema, key, notes);
        continue;
      }
      const path = attributePath(resolved.attribute, resolved.extension);
      notes.add(`urn-key-moved:${path}`);
      put(resolved.extension ? extensions.get(resolved.extension)! : core, resolved.attribute, raw, path);
      continue;
    }
    const attr = findAttribute(schema.schema.attributes, key) ?? findAttribute(schema.commonAttributes, key);
    if (!attr) notes.add(`unknown-attribute-ignored:${key}`);
    else put(core, attr, raw, attr.name);
  }

  const out: Record<string, unknown> = {};
  for (const attr of coreAttributesOf(schema)) {
    const value = core.get(attr.name);
    if (value !== undefined) out[attr.name] = value;
  }
  for (const [extension, values] of extensions) {
    const object: Record<string, unknown> = {};
    for (const attr of extension.schema.attributes) {
      const value = values.get(attr.name);
      if (value !== undefined) object[attr.name] = value;
    }
    if (Object.keys(object).length > 0) out[extension.schema.id] = object;
    if (extension.declared) requireDeclared(extension, object);
  }
  return out;
}

/**
 * A URN key or path no attribute answers to. Within the service's own schemas it is ignored and
 * noted, as any unknown attribute; an extension the account has not declared, or an attribute its
 * declared extension lacks, is refused: the values would otherwise be silently lost. An account
 * migrating an IdP may choose to accept undeclared extensions instead: then they are noted.
 */
export function unknownUrnKey(schema: ResourceSchema, key: string, notes: Notes): 'ignored' | 'undeclared-ignored' {
  const lower = key.toLowerCase();
  const within = (urn: string) => lower.startsWith(`${urn.toLowerCase()}:`);
  const owner = schema.extensions.find((e) => within(e.schema.id));
  if (owner?.declared) throw invalidValue(`Attribute "${key}" is not declared in the schema extension ${owner.schema.id}`);
  if (owner || within(schema.schema.id)) {
    notes.add(`unknown-attribute-ignored:${key}`);
    return 'ignored';
  }
  if (schema.notesUndeclaredExtensions) {
    notes.add(`undeclared-extension-ignored:${key}`);
    return 'undeclared-ignored';
  }
  throw invalidValue(
    `Schema extension "${key}" is not declared for this account: an account administrator declares its attributes first (POST /admin/accounts/{accountId}/custom-attributes)`,
  );
}

/** RFC 7643 §2.2 `required`: a declared attribute the account requires must have a value. */
function requireDeclared(extension: SchemaExtension, values: Readonly<Record<string, unknown>>): void {
  const missing = extension.schema.attributes.find((a) => a.required && !Object.hasOwn(values, a.name));
  if (missing) throw invalidValue(`Attribute "${attributePath(missing, extension)}" is required`);
}

/**
 * `schemas` inside an extension's object: no attribute of any extension, but what clients that
 * serialise an extension as a resource of its own add (scim2-models); ignored as read-only.
 */
export const isSchemasKey = (key: string): boolean => key.length === 7 && key.toLowerCase() === 'schemas';

// The common attributes, then the core schema's: the order of a canonical resource, made once per schema.
const coreAttributeLists = new WeakMap<ResourceSchema, readonly AttributeDefinition[]>();

function coreAttributesOf(schema: ResourceSchema): readonly AttributeDefinition[] {
  let list = coreAttributeLists.get(schema);
  if (!list) coreAttributeLists.set(schema, (list = [...schema.commonAttributes, ...schema.schema.attributes]));
  return list;
}

/** The request body as an object, or 400 invalidSyntax. */
export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(body)) throw badRequest('invalidSyntax', `${what} must be a JSON object`);
  return body;
}

/**
 * RFC 7643 §3: `schemas` is REQUIRED and must name the resource's core schema. URNs the service
 * does not know (Microsoft adds its own) are accepted and noted.
 */
export function requireSchemas(body: Readonly<Record<string, unknown>>, schema: ResourceSchema, notes: Notes): void {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (!Array.isArray(schemas) || !schemas.every((s): s is string => typeof s === 'string')) {
    throw badRequest('invalidSyntax', `"schemas" must be an array of schema URNs that includes "${schema.schema.id}"`);
  }
  if (schemas.length > RESOURCE_LIMITS.maxValues) throw invalidValue(`"schemas" has ${schemas.length} URNs; the limit is ${RESOURCE_LIMITS.maxValues}`);
  if (!schemas.some((s) => s.toLowerCase() === schema.schema.id.toLowerCase())) {
    throw badRequest('invalidSyntax', `"schemas" must include "${schema.schema.id}"`);
  }
  for (const urn of schemas) {
    if (!schema.knowsSchema(urn)) notes.add(`unknown-schema-ignored:${urn}`);
  }
}
