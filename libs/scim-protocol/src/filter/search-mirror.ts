import { canonicalDateTime } from '../date-time';
import { isPlainObject } from '../json';
import { findAttribute, subAttribute, type AttributeDefinition } from '../schema/attribute';
import type { ResourceSchema } from '../schema/resource-schema';
import { CUSTOM_MIRROR_EXACT, CUSTOM_MIRROR_FOLDED, customMirrorKey } from '../schema/custom-extensions';
import { fold } from './operand';

function mirrorSingle(def: AttributeDefinition, value: unknown): unknown {
  switch (def.type) {
    case 'complex': {
      if (!isPlainObject(value)) return undefined;
      const out: Record<string, unknown> = {};
      let empty = true;
      for (const key of Object.keys(value)) {
        const subDef = subAttribute(def, key);
        if (!subDef) continue;
        const mirrored = mirrorValue(subDef, value[key]);
        if (mirrored === undefined) continue;
        out[subDef.name] = mirrored;
        empty = false;
      }
      return empty ? undefined : out;
    }
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value !== 'string' || value === '') return undefined;
      return def.caseExact ? value : fold(value);
    case 'dateTime':
      return typeof value === 'string' ? (canonicalDateTime(value) ?? value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? value : undefined;
    default: {
      const _exhaustive: never = def.type;
      return _exhaustive;
    }
  }
}

function mirrorValue(def: AttributeDefinition, value: unknown): unknown {
  // `$ref` is derived from the base URL and `returned: never` values are never searchable.
  if (value === null || value === undefined || def.name === '$ref' || def.returned === 'never') return undefined;
  if (def.multiValued) {
    if (!Array.isArray(value)) return undefined;
    const items: unknown[] = [];
    for (const item of value) {
      const mirrored = mirrorSingle(def, item);
      if (mirrored !== undefined) items.push(mirrored);
    }
    return items.length ? items : undefined;
  }
  return mirrorSingle(def, value);
}

/**
 * The search mirror a read model stores beside each resource, for {@link filterToQuery} and
 * {@link sortPath}: schema attributes only, caseExact=false strings NFC-normalised and
 * lower-cased, extensions under their mirror key (`enterprise`: MongoDB field names cannot hold
 * the URN's dots), no `$ref`, no null or empty values, dateTimes in toISOString() form.
 */
export function searchMirror(resource: Readonly<Record<string, unknown>>, schema: ResourceSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    const extension = schema.extension(key);
    // An extension the schema does not know is an account's declared one: only those reach a stored resource.
    if (extension?.declared || (!extension && /^urn:/i.test(key))) {
      if (isPlainObject(value)) customMirror(out, key, value);
      continue;
    }
    if (extension) {
      if (!isPlainObject(value)) continue;
      const object: Record<string, unknown> = {};
      for (const name of Object.keys(value)) {
        const attr = findAttribute(extension.schema.attributes, name);
        const mirrored = attr && mirrorValue(attr, value[name]);
        if (attr && mirrored !== undefined) object[attr.name] = mirrored;
      }
      if (Object.keys(object).length) out[extension.mirrorKey] = object;
      continue;
    }
    const attr = findAttribute(schema.schema.attributes, key) ?? findAttribute(schema.commonAttributes, key);
    const mirrored = attr && mirrorValue(attr, value);
    if (attr && mirrored !== undefined) out[attr.name] = mirrored;
  }
  return out;
}

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** A declared attribute's value as the mirror keeps it: strings `fold`ed or not, numbers and booleans as they are. */
function looseValue(value: unknown, folded: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => looseValue(item, folded)).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'string') return folded ? fold(value) : value;
  return typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/**
 * An account-declared extension in the mirror. The projection writing it does not know the
 * account's declarations, so each value is kept twice: case-folded (for caseExact=false strings)
 * and as stored (caseExact strings, dateTimes, numbers, booleans); `fieldOf` picks the form by the
 * attribute's definition. Stored values were validated against the declarations when written.
 */
function customMirror(out: Record<string, unknown>, urn: string, value: Readonly<Record<string, unknown>>): void {
  const folded: Record<string, unknown> = {};
  const exact: Record<string, unknown> = {};
  for (const [name, attrValue] of Object.entries(value)) {
    if (!ATTRIBUTE_NAME.test(name)) continue;
    const f = looseValue(attrValue, true);
    const e = looseValue(attrValue, false);
    if (f !== undefined) folded[name] = f;
    if (e !== undefined) exact[name] = e;
  }
  if (Object.keys(exact).length === 0) return;
  const key = customMirrorKey(urn);
  const into = (field: string, values: Record<string, unknown>) => {
    const existing = isPlainObject(out[field]) ? (out[field] as Record<string, unknown>) : {};
    out[field] = { ...existing, [key]: values };
  };
  into(CUSTOM_MIRROR_FOLDED, folded);
  into(CUSTOM_MIRROR_EXACT, exact);
}
