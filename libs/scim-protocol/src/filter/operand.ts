import { badRequest, type ScimError, type ScimType } from '../scim-error';
import { formatDateTime, parseDateTime, type ParsedDateTime } from '../date-time';
import { subAttribute, type AttributeDefinition } from '../schema/attribute';
import type { ResolvedAttribute, ResourceSchema } from '../schema/resource-schema';
import type { AttributePath, CompareOperator, FilterLiteral, FilterNode } from './ast';

/** Case folding for caseExact=false values: NFC first, so composed and decomposed forms agree. */
export const fold = (value: string): string => value.normalize('NFC').toLowerCase();

const ORDERING: ReadonlySet<CompareOperator> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<CompareOperator> = new Set(['co', 'sw', 'ew']);

/** A filter literal checked against the attribute type and made comparable with stored values. */
export type Operand =
  | { readonly kind: 'null' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'dateTime'; readonly value: ParsedDateTime; readonly iso: string; readonly precise: string };

/** Reports a problem with a filter: `invalidFilter` for ?filter=, `invalidPath` for a PATCH path. */
export type Fail = (message: string, position: number) => ScimError;

export function failWith(scimType: ScimType, what: string): Fail {
  return (message, position) => badRequest(scimType, `Invalid ${what}: ${message} (at character ${position + 1})`);
}

/** What a path in a filter compares: the attribute, the leaf compared, and where it lives. */
export interface FilterTarget {
  readonly resolved: ResolvedAttribute;
  /** The definition whose values are compared: the sub-attribute, or the attribute itself. */
  readonly leaf: AttributeDefinition;
}

/**
 * Resolves a top-level filter path. A complex multi-valued attribute without sub-attribute
 * stands for its `value` (RFC 7644 §3.4.2.2: `emails co "example.com"`); other complex attributes
 * need a sub-attribute, except for `pr`.
 */
export function resolveTarget(schema: ResourceSchema, path: AttributePath, present: boolean, fail: Fail): FilterTarget {
  const found = schema.resolve(path);
  if (!found) throw fail(`unknown attribute ${JSON.stringify(path.text)}`, path.position);
  let resolved = found;
  if (!resolved.subAttribute && resolved.attribute.type === 'complex' && !present) {
    const value = resolved.attribute.multiValued ? subAttribute(resolved.attribute, 'value') : undefined;
    if (!value) throw fail(`${JSON.stringify(path.text)} is complex: name one of its sub-attributes`, path.position);
    resolved = { ...resolved, subAttribute: value };
  }
  const leaf = resolved.subAttribute ?? resolved.attribute;
  checkFilterable(leaf, path, fail);
  return { resolved, leaf };
}

/** Resolves a path inside `attr[...]`: a sub-attribute of that attribute. */
export function resolveSubTarget(parent: AttributeDefinition, path: AttributePath, fail: Fail): AttributeDefinition {
  const sub = subAttribute(parent, path.name);
  if (!sub) throw fail(`${JSON.stringify(path.text)} is not a sub-attribute of "${parent.name}"`, path.position);
  checkFilterable(sub, path, fail);
  return sub;
}

function checkFilterable(leaf: AttributeDefinition, path: AttributePath, fail: Fail): void {
  if (leaf.returned === 'never') throw fail(`${JSON.stringify(path.text)} cannot be filtered on`, path.position);
  // References are rendered from the base URL, never stored: comparing them would be meaningless.
  if (leaf.name === '$ref') throw fail(`"$ref" cannot be filtered on; filter on "value"`, path.position);
}

/**
 * Checks that `op` is allowed for the type (RFC 7644 §3.4.2.2: gt/ge/lt/le on boolean or binary
 * SHALL fail with invalidFilter; substring operators only make sense on strings) and converts
 * the literal: folded for caseExact=false, canonical ISO for dateTime, booleans from Entra's
 * "True"/"False".
 */
export function operandFor(leaf: AttributeDefinition, op: CompareOperator, literal: FilterLiteral, at: number, fail: Fail): Operand {
  const reject = (why: string) => fail(`"${op}" ${why} "${leaf.name}" (${leaf.type})`, at);
  if (leaf.type === 'complex') throw reject('cannot compare the complex attribute');
  if (literal === null) {
    if (op !== 'eq' && op !== 'ne') throw fail(`"${op}" cannot compare with null`, at);
    return { kind: 'null' };
  }
  switch (leaf.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (leaf.type === 'binary' && ORDERING.has(op)) throw reject('is not allowed on binary attribute');
      if (typeof literal !== 'string') throw reject('needs a string value for');
      return { kind: 'string', value: leaf.caseExact ? literal : fold(literal) };
    case 'boolean': {
      if (ORDERING.has(op) || SUBSTRING.has(op)) throw reject('is not allowed on boolean attribute');
      if (typeof literal === 'boolean') return { kind: 'boolean', value: literal };
      if (typeof literal === 'string' && /^(true|false)$/i.test(literal)) return { kind: 'boolean', value: literal.toLowerCase() === 'true' };
      throw reject('needs true or false for');
    }
    case 'integer':
    case 'decimal':
      if (SUBSTRING.has(op)) throw reject('is not allowed on numeric attribute');
      if (typeof literal !== 'number') throw reject('needs a number for');
      return { kind: 'number', value: literal };
    case 'dateTime': {
      if (SUBSTRING.has(op)) throw reject('is not allowed on dateTime attribute');
      const parsed = typeof literal === 'string' ? parseDateTime(literal) : undefined;
      const iso = parsed && formatDateTime(parsed.epochMs);
      if (!parsed || !iso) throw fail(`${JSON.stringify(literal)} is not a valid dateTime (e.g. "2011-05-13T04:42:34Z") for "${leaf.name}"`, at);
      return { kind: 'dateTime', value: parsed, iso, precise: parsed.extraFraction ? `${iso.slice(0, -1)}${parsed.extraFraction}Z` : iso };
    }
    default: {
      const _exhaustive: never = leaf.type;
      return _exhaustive;
    }
  }
}

/**
 * Checks every attribute and operator of a filter against a resource schema without building a
 * query; throws ScimError 400 `invalidFilter` with the position of the first problem.
 */
export function validateFilter(ast: FilterNode, schema: ResourceSchema): void {
  visitFilter(ast, undefined, schema, failWith('invalidFilter', 'filter'));
}

/**
 * Checks every sub-attribute and operator of a value filter (the part inside `emails[…]`) against
 * its attribute, whether or not evaluation would reach it (`and` stops at the first false).
 */
export function validateValueFilter(filter: FilterNode, parent: AttributeDefinition, schema: ResourceSchema, fail: Fail): void {
  visitFilter(filter, parent, schema, fail);
}

function visitFilter(ast: FilterNode, root: AttributeDefinition | undefined, schema: ResourceSchema, fail: Fail): void {
  const visit = (node: FilterNode, parent: AttributeDefinition | undefined): void => {
    switch (node.kind) {
      case 'and':
      case 'or':
        visit(node.left, parent);
        visit(node.right, parent);
        return;
      case 'not':
        visit(node.filter, parent);
        return;
      case 'present':
        if (parent) resolveSubTarget(parent, node.path, fail);
        else resolveTarget(schema, node.path, true, fail);
        return;
      case 'compare': {
        const leaf = parent ? resolveSubTarget(parent, node.path, fail) : resolveTarget(schema, node.path, false, fail).leaf;
        operandFor(leaf, node.op, node.value, node.position, fail);
        return;
      }
      case 'valuePath': {
        const target = resolveTarget(schema, node.path, true, fail);
        if (target.resolved.subAttribute || target.resolved.attribute.type !== 'complex') {
          throw fail(`"[ ]" needs a complex attribute, not ${JSON.stringify(node.path.text)}`, node.path.position);
        }
        visit(node.filter, target.resolved.attribute);
        return;
      }
      default: {
        const _exhaustive: never = node;
        return _exhaustive;
      }
    }
  };
  visit(ast, root);
}
