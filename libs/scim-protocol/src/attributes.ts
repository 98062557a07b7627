import { cloneJson, isPlainObject, setOwn } from './json';
import { findAttribute, subAttribute, type AttributeDefinition } from './schema/attribute';
import type { ResourceSchema } from './schema/resource-schema';

/** The `attributes` / `excludedAttributes` request parameters, already split into paths. */
export interface AttributeSelection {
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
}

interface Selected {
  all: boolean;
  readonly children: Map<string, Selected>;
}

const node = (): Selected => ({ all: false, children: new Map() });

function child(parent: Selected, name: string): Selected {
  let found = parent.children.get(name);
  if (!found) parent.children.set(name, (found = node()));
  return found;
}

/** Canonical tree of the listed paths; unknown paths are ignored (they select nothing). */
function selectionTree(paths: readonly string[], schema: ResourceSchema): Selected {
  const root = node();
  for (const path of paths) {
    const extension = schema.extension(path);
    if (extension) {
      child(root, extension.schema.id).all = true;
      continue;
    }
    const resolved = schema.resolve(path);
    if (!resolved) continue;
    const parent = resolved.extension ? child(root, resolved.extension.schema.id) : root;
    const attr = child(parent, resolved.attribute.name);
    if (resolved.subAttribute) child(attr, resolved.subAttribute.name).all = true;
    else attr.all = true;
  }
  return root;
}

/** How a resource key is defined: a core/common attribute, an extension, or nothing known. */
type KeyDefinition = { readonly kind: 'attribute'; readonly def: AttributeDefinition } | { readonly kind: 'extension'; readonly defs: readonly AttributeDefinition[]; readonly urn: string };

function defineKey(schema: ResourceSchema, key: string): KeyDefinition | undefined {
  const extension = schema.extension(key);
  if (extension) return { kind: 'extension', defs: extension.schema.attributes, urn: extension.schema.id };
  const def = findAttribute(schema.schema.attributes, key) ?? findAttribute(schema.commonAttributes, key);
  return def && { kind: 'attribute', def };
}

const alwaysReturned = (def: KeyDefinition | undefined) => def?.kind === 'attribute' && def.def.returned === 'always';

function pickValue(def: AttributeDefinition, value: unknown, selected: Selected): unknown {
  if (selected.all) return cloneJson(value);
  const pickObject = (object: unknown) => {
    if (!isPlainObject(object)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(object)) {
      const subDef = subAttribute(def, key);
      if (subDef && selected.children.get(subDef.name)?.all) setOwn(out, key, cloneJson(sub));
    }
    return Object.keys(out).length ? out : undefined;
  };
  if (Array.isArray(value)) {
    const items = value.map(pickObject).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  return pickObject(value);
}

function dropValue(def: AttributeDefinition, value: unknown, selected: Selected): unknown {
  if (selected.all) return undefined;
  const dropObject = (object: unknown) => {
    if (!isPlainObject(object)) return object;
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(object)) {
      const subDef = subAttribute(def, key);
      if (!(subDef && selected.children.get(subDef.name)?.all)) setOwn(out, key, cloneJson(sub));
    }
    return Object.keys(out).length ? out : undefined;
  };
  if (Array.isArray(value)) {
    const items = value.map(dropObject).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  return dropObject(value);
}

/** Applies pick (attributes) or drop (excludedAttributes) to the attributes of one extension object. */
function selectExtension(defs: readonly AttributeDefinition[], value: unknown, selected: Selected, mode: 'pick' | 'drop'): unknown {
  if (mode === 'pick' && selected.all) return cloneJson(value);
  if (mode === 'drop' && selected.all) return undefined;
  if (!isPlainObject(value)) return mode === 'pick' ? undefined : cloneJson(value);
  const out: Record<string, unknown> = {};
  for (const [key, attrValue] of Object.entries(value)) {
    const def = findAttribute(defs, key);
    const sel = def && selected.children.get(def.name);
    let result: unknown;
    if (mode === 'pick') result = def && sel ? pickValue(def, attrValue, sel) : undefined;
    else result = def && sel ? dropValue(def, attrValue, sel) : cloneJson(attrValue);
    if (result !== undefined) setOwn(out, key, result);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Applies RFC 7644 §3.4.2.5 / §3.9 to a rendered resource. With `attributes`, only the listed
 * attributes are kept, plus those returned "always" (`id`) and `schemas`; with
 * `excludedAttributes`, the listed ones are removed, except those returned "always". Paths may
 * name sub-attributes (`name.givenName`, `emails.value`), be URN-qualified
 * (`urn:…:enterprise:2.0:User:employeeNumber`) or name a whole extension by its URN; names are
 * case-insensitive, unknown names select nothing. Attributes returned "never" are always removed.
 * The input is not modified.
 */
export function selectAttributes(
  resource: Readonly<Record<string, unknown>>,
  schema: ResourceSchema,
  selection: AttributeSelection,
): Record<string, unknown> {
  const include = selection.attributes?.length ? selectionTree(selection.attributes, schema) : undefined;
  const exclude = selection.excludedAttributes?.length ? selectionTree(selection.excludedAttributes, schema) : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const def = defineKey(schema, key);
    if (key === 'schemas' || alwaysReturned(def)) {
      setOwn(out, key, cloneJson(value));
      continue;
    }
    if (!def) continue;
    if (def.kind === 'attribute' && def.def.returned === 'never') continue;
    const canonical = def.kind === 'attribute' ? def.def.name : def.urn;
    let result: unknown = cloneJson(value);
    if (include) {
      const selected = include.children.get(canonical);
      if (!selected) result = undefined;
      else result = def.kind === 'attribute' ? pickValue(def.def, value, selected) : selectExtension(def.defs, value, selected, 'pick');
    } else if (def.kind === 'attribute' && def.def.returned === 'request') {
      result = undefined;
    }
    const dropped = exclude?.children.get(canonical);
    if (result !== undefined && dropped) {
      result = def.kind === 'attribute' ? dropValue(def.def, result, dropped) : selectExtension(def.defs, result, dropped, 'drop');
    }
    if (result !== undefined) setOwn(out, key, result);
  }
  return out;
}
