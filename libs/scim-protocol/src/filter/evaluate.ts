import { parseDateTime } from '../date-time';
import type { AttributeDefinition } from '../schema/attribute';
import type { CompareOperator, FilterNode } from './ast';
import { fold, operandFor, resolveSubTarget, type Fail, type Operand } from './operand';

function compareOrdered<T extends string | number>(op: CompareOperator, actual: T, expected: T): boolean {
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return actual > expected;
    case 'ge':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'le':
      return actual <= expected;
    case 'co':
      return String(actual).includes(String(expected));
    case 'sw':
      return String(actual).startsWith(String(expected));
    case 'ew':
      return String(actual).endsWith(String(expected));
    default: {
      const _exhaustive: never = op;
      return _exhaustive;
    }
  }
}

function compare(sub: AttributeDefinition, op: CompareOperator, operand: Operand, actual: unknown): boolean {
  if (operand.kind === 'null') return op === 'eq' ? actual === undefined : actual !== undefined;
  if (actual === undefined) return op === 'ne';
  switch (operand.kind) {
    case 'string':
      return typeof actual === 'string' && compareOrdered(op, sub.caseExact ? actual : fold(actual), operand.value);
    case 'boolean':
      return op === 'eq' ? actual === operand.value : actual !== operand.value;
    case 'number':
      return typeof actual === 'number' && compareOrdered(op, actual, operand.value);
    case 'dateTime': {
      const parsed = typeof actual === 'string' ? parseDateTime(actual) : undefined;
      if (!parsed) return op === 'ne';
      // Stored values have millisecond precision; a finer literal lies just above its truncation.
      const a = parsed.epochMs;
      const e = operand.value.epochMs;
      const finer = operand.value.extraFraction !== '';
      switch (op) {
        case 'eq':
          return !finer && a === e;
        case 'ne':
          return finer || a !== e;
        case 'gt':
          return a > e;
        case 'ge':
          return finer ? a > e : a >= e;
        case 'lt':
          return finer ? a <= e : a < e;
        case 'le':
          return a <= e;
        default:
          return false;
      }
    }
    default: {
      const _exhaustive: never = operand;
      return _exhaustive;
    }
  }
}

/**
 * Whether one value of a complex multi-valued attribute satisfies a value filter (the part inside
 * `emails[…]`), with the sub-attributes' case rules. Used by PATCH, which works on one resource.
 */
export function matchesValue(filter: FilterNode, value: Readonly<Record<string, unknown>>, parent: AttributeDefinition, fail: Fail): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesValue(filter.left, value, parent, fail) && matchesValue(filter.right, value, parent, fail);
    case 'or':
      return matchesValue(filter.left, value, parent, fail) || matchesValue(filter.right, value, parent, fail);
    case 'not':
      return !matchesValue(filter.filter, value, parent, fail);
    case 'present': {
      const sub = resolveSubTarget(parent, filter.path, fail);
      const actual = value[sub.name];
      return actual !== undefined && actual !== null && actual !== '';
    }
    case 'compare': {
      const sub = resolveSubTarget(parent, filter.path, fail);
      return compare(sub, filter.op, operandFor(sub, filter.op, filter.value, filter.position, fail), value[sub.name]);
    }
    case 'valuePath':
      throw fail('value filters cannot be nested', filter.path.position);
    default: {
      const _exhaustive: never = filter;
      return _exhaustive;
    }
  }
}

/**
 * Sub-attribute values a filter pins with `eq` in a pure conjunction (`type eq "work" and primary
 * eq true`), or undefined when it does anything else. PATCH `add` uses it to create the value a
 * filter describes when none matches yet (Entra: `emails[type eq "work"].value`).
 */
export function equalities(filter: FilterNode): Map<string, string | number | boolean> | undefined {
  if (filter.kind === 'and') {
    const left = equalities(filter.left);
    const right = equalities(filter.right);
    if (!left || !right) return undefined;
    for (const [k, v] of right) {
      if (left.has(k) && left.get(k) !== v) return undefined;
      left.set(k, v);
    }
    return left;
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null) {
    return new Map([[filter.path.name, filter.value]]);
  }
  return undefined;
}
