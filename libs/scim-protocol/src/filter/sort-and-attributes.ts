import { badRequest } from '../scim-error';
import { splitAttributePath, type ResourceSchema } from '../schema/resource-schema';
import { subAttribute } from '../schema/attribute';
import { fieldOf } from './to-query';

/**
 * The mirror field to sort by for `sortBy` (RFC 7644 §3.4.2.3), e.g. `name.familyName` →
 * `search.name.familyName`, `emails` → `search.emails.value`. Sorting on the mirror orders
 * caseExact=false strings case-insensitively. Throws ScimError 400 `invalidValue` for a path that
 * names no attribute, or a complex attribute without a sub-attribute to sort on.
 */
export function sortPath(attrPathText: string, schema: ResourceSchema, mirrorField = 'search'): string {
  const text = attrPathText.trim();
  const resolved = schema.resolve(text);
  if (!resolved) throw badRequest('invalidValue', `sortBy ${JSON.stringify(attrPathText)} is not an attribute of ${schema.name}`);
  let target = resolved;
  if (!target.subAttribute && target.attribute.type === 'complex') {
    // §3.4.2.3: multi-valued attributes sort by their value (the store picks among the values).
    const value = target.attribute.multiValued ? subAttribute(target.attribute, 'value') : undefined;
    if (!value) throw badRequest('invalidValue', `sortBy ${JSON.stringify(attrPathText)} is complex: name a sub-attribute, e.g. "name.familyName"`);
    target = { ...target, subAttribute: value };
  }
  const leaf = target.subAttribute ?? target.attribute;
  if (leaf.returned === 'never' || leaf.name === '$ref') {
    throw badRequest('invalidValue', `sortBy ${JSON.stringify(attrPathText)} cannot be sorted on`);
  }
  return fieldOf(mirrorField, target);
}

/**
 * Splits an `attributes` / `excludedAttributes` parameter (RFC 7644 §3.4.2.5, §3.9): a
 * comma-separated list in attribute notation (`userName,name.givenName,urn:…:User:employeeNumber`).
 * Throws ScimError 400 `invalidValue` for an entry that is not attribute notation.
 */
export function parseAttributeList(text: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    if (!splitAttributePath(item)) throw badRequest('invalidValue', `${JSON.stringify(item)} is not an attribute name (RFC 7644 §3.10)`);
  }
  return items;
}
