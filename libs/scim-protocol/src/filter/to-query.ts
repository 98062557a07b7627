import type { AttributeDefinition } from '../schema/attribute';
import type { ResourceSchema } from '../schema/resource-schema';
import type { CompareOperator, FilterNode } from './ast';
import { failWith, operandFor, resolveSubTarget, resolveTarget, type Operand } from './operand';

/** "No character follows": the end of the string, in PCRE (MongoDB) and JavaScript alike. */
const END_OF_STRING = '(?![\\s\\S])';

/**
 * A query in the MongoDB subset both read stores evaluate: `{field: value}`, `$ne $gt $gte $lt
 * $lte $exists $regex $elemMatch $and $or $nor`.
 */
export type QueryDocument = Record<string, unknown>;

const fail = failWith('invalidFilter', 'filter');

/** Escapes a literal for a regular expression that JavaScript and MongoDB (PCRE) read alike. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function condition(op: CompareOperator, operand: Operand): unknown {
  if (operand.kind === 'null') return { $exists: op === 'ne' }; // the mirror never stores null (RFC 7643 §2.5)
  if (operand.kind === 'dateTime') {
    // The mirror holds toISOString() forms (millisecond precision); a literal finer than that is
    // compared exactly: x > 34.0005 means x ≥ 34.001, and so on.
    const { iso, precise } = operand;
    const finer = precise !== iso;
    switch (op) {
      case 'eq':
        return precise;
      case 'ne':
        return { $ne: precise };
      case 'gt':
        return { $gt: iso };
      case 'ge':
        return finer ? { $gt: iso } : { $gte: iso };
      case 'lt':
        return finer ? { $lte: iso } : { $lt: iso };
      case 'le':
        return { $lte: iso };
      default:
        throw new Error(`unreachable: ${op} on dateTime`);
    }
  }
  const value = operand.value;
  switch (op) {
    case 'eq':
      return value;
    case 'ne':
      return { $ne: value };
    case 'co':
      return { $regex: escapeRegex(String(value)) };
    case 'sw':
      return { $regex: `^${escapeRegex(String(value))}` };
    case 'ew':
      // Not `$`: in MongoDB (PCRE) it also matches before a trailing newline. A lookahead for "no
      // character follows" means the end of the string in PCRE and in JavaScript alike.
      return { $regex: `${escapeRegex(String(value))}${END_OF_STRING}` };
    case 'gt':
      return { $gt: value };
    case 'ge':
      return { $gte: value };
    case 'lt':
      return { $lt: value };
    case 'le':
      return { $lte: value };
    default: {
      const _exhaustive: never = op;
      return _exhaustive;
    }
  }
}

const isOperatorFree = (q: QueryDocument) => Object.keys(q).every((k) => !k.startsWith('$'));

/** `and` as one document when the fields differ (index-friendly), `$and` otherwise. */
function and(parts: QueryDocument[]): QueryDocument {
  const flat = parts.flatMap((p) => (Object.keys(p).length === 1 && Array.isArray(p.$and) ? (p.$and as QueryDocument[]) : [p]));
  const keys = flat.flatMap((p) => Object.keys(p));
  if (flat.every(isOperatorFree) && new Set(keys).size === keys.length) return Object.assign({}, ...flat) as QueryDocument;
  return { $and: flat };
}

function or(parts: QueryDocument[]): QueryDocument {
  return { $or: parts.flatMap((p) => (Object.keys(p).length === 1 && Array.isArray(p.$or) ? (p.$or as QueryDocument[]) : [p])) };
}

/** Inside a value path: fields relative to one value (`$elemMatch`) or prefixed (single complex). */
function buildWithin(node: FilterNode, parent: AttributeDefinition, prefix: string): QueryDocument {
  switch (node.kind) {
    case 'and':
      return and([buildWithin(node.left, parent, prefix), buildWithin(node.right, parent, prefix)]);
    case 'or':
      return or([buildWithin(node.left, parent, prefix), buildWithin(node.right, parent, prefix)]);
    case 'not':
      return { $nor: [buildWithin(node.filter, parent, prefix)] };
    case 'present': {
      const sub = resolveSubTarget(parent, node.path, fail);
      return { [prefix + sub.name]: { $exists: true } };
    }
    case 'compare': {
      const sub = resolveSubTarget(parent, node.path, fail);
      return { [prefix + sub.name]: condition(node.op, operandFor(sub, node.op, node.value, node.position, fail)) };
    }
    case 'valuePath':
      throw fail('value filters cannot be nested', node.path.position);
    default: {
      const _exhaustive: never = node;
      return _exhaustive;
    }
  }
}

/**
 * Translates a parsed filter into a query over the search mirror (see {@link searchMirror}) under
 * `mirrorField`. Values of caseExact=false attributes are compared lower-cased (the mirror is
 * too); `emails co "x"` means `emails.value co "x"`; `emails[…]` becomes `$elemMatch`, and a
 * trailing `.value eq "x"` joins it; `not` becomes `$nor`; `pr` is `$exists` (the mirror holds no
 * null or empty values); dateTimes compare in canonical ISO form. `ne` on a multi-valued
 * attribute matches when some value differs (RFC 7644 §3.4.2.2: any value may match); on a
 * single-valued one it also matches when the attribute is unassigned, like `not (… eq …)`.
 * Throws ScimError 400 `invalidFilter` for unknown attributes or operators not allowed on a type.
 */
export function filterToQuery(ast: FilterNode, schema: ResourceSchema, mirrorField = 'search'): QueryDocument {
  const build = (node: FilterNode): QueryDocument => {
    switch (node.kind) {
      case 'and':
        return and([build(node.left), build(node.right)]);
      case 'or':
        return or([build(node.left), build(node.right)]);
      case 'not':
        return { $nor: [build(node.filter)] };
      case 'present': {
        const { resolved } = resolveTarget(schema, node.path, true, fail);
        return { [fieldOf(mirrorField, resolved)]: { $exists: true } };
      }
      case 'compare': {
        const { resolved, leaf } = resolveTarget(schema, node.path, false, fail);
        const operand = operandFor(leaf, node.op, node.value, node.position, fail);
        const { attribute, subAttribute } = resolved;
        if (node.op === 'ne' && operand.kind !== 'null' && attribute.multiValued && subAttribute) {
          const array = fieldOf(mirrorField, { ...resolved, subAttribute: undefined });
          return { [array]: { $elemMatch: { [subAttribute.name]: condition('ne', operand) } } };
        }
        return { [fieldOf(mirrorField, resolved)]: condition(node.op, operand) };
      }
      case 'valuePath': {
        const { resolved } = resolveTarget(schema, node.path, true, fail);
        const { attribute } = resolved;
        if (resolved.subAttribute || attribute.type !== 'complex') {
          throw fail(`"[ ]" needs a complex attribute, not ${JSON.stringify(node.path.text)}`, node.path.position);
        }
        const field = fieldOf(mirrorField, resolved);
        if (attribute.multiValued) return { [field]: { $elemMatch: buildWithin(node.filter, attribute, '') } };
        return buildWithin(node.filter, attribute, `${field}.`);
      }
      default: {
        const _exhaustive: never = node;
        return _exhaustive;
      }
    }
  };
  return build(ast);
}

/** Whether the mirror keeps an attribute's values case-folded (search-mirror.ts). */
const foldedInMirror = (def: AttributeDefinition) => (def.type === 'string' || def.type === 'reference' || def.type === 'binary') && !def.caseExact;

/**
 * Mirror field of a resolved attribute: extensions live under their mirror key; a declared
 * extension's values as stored under its exact key, unless they are compared case-folded.
 */
export function fieldOf(
  mirrorField: string,
  resolved: {
    readonly extension?: { readonly mirrorKey: string; readonly exactMirrorKey?: string };
    readonly attribute: AttributeDefinition;
    readonly subAttribute?: AttributeDefinition;
  },
): string {
  const parts = [mirrorField];
  const { extension } = resolved;
  if (extension) parts.push(extension.exactMirrorKey && !foldedInMirror(resolved.subAttribute ?? resolved.attribute) ? extension.exactMirrorKey : extension.mirrorKey);
  parts.push(resolved.attribute.name);
  if (resolved.subAttribute) parts.push(resolved.subAttribute.name);
  return parts.join('.');
}
