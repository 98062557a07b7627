import type { Query } from '../read-store.port';
import { UnsupportedQueryError } from './unsupported-query.error';
import { compareStrings, isJsonObject, jsonEquals, splitPath, valuesAtPath, type JsonObject } from './values';

export { UnsupportedQueryError };

export type DocumentPredicate = (document: JsonObject) => boolean;

/** Decides for the values found at one path (see `valuesAtPath`). */
type ValuesPredicate = (values: readonly unknown[]) => boolean;

const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);
const REGEX_OPTIONS = /^[ims]*$/;

/**
 * Compiles a query of the port's MongoDB subset into a predicate. Regular expressions and paths are
 * prepared once here; an operator outside the subset throws `UnsupportedQueryError` at once, so a
 * query never silently matches differently from MongoDB.
 */
export function compileQuery(query: Query): DocumentPredicate {
  if (!isJsonObject(query)) throw new UnsupportedQueryError('A query must be an object');
  return compileConjunction(query, '');
}

function compileConjunction(query: JsonObject, where: string): DocumentPredicate {
  const clauses = Object.entries(query).map(([key, condition]) =>
    key.startsWith('$') ? compileLogical(key, condition, where) : compileField(key, condition, joinPath(where, key)),
  );
  if (clauses.length === 0) return () => true;
  if (clauses.length === 1) return clauses[0];
  return (document) => {
    for (const clause of clauses) if (!clause(document)) return false;
    return true;
  };
}

function compileLogical(operator: string, operand: unknown, where: string): DocumentPredicate {
  if (!LOGICAL_OPERATORS.has(operator)) {
    throw new UnsupportedQueryError(`Unsupported top-level operator ${operator}${at(where)}`);
  }
  if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isJsonObject)) {
    throw new UnsupportedQueryError(`${operator} needs a non-empty array of queries${at(where)}`);
  }
  const branches = operand.map((branch) => compileConjunction(branch, where));
  switch (operator) {
    case '$and':
      return (document) => branches.every((branch) => branch(document));
    case '$or':
      return (document) => branches.some((branch) => branch(document));
    default:
      return (document) => !branches.some((branch) => branch(document));
  }
}

function compileField(path: string, condition: unknown, where: string): DocumentPredicate {
  const segments = splitPath(path);
  const test = isOperatorObject(condition, where)
    ? compileOperators(condition, where)
    : equalityPredicate(condition, where);
  if (segments.length === 1) {
    const field = segments[0];
    // The common case, without the general traversal.
    return (document) => test([Object.hasOwn(document, field) ? document[field] : undefined]);
  }
  return (document) => test(valuesAtPath(document, segments));
}

/** `{ $gt: 1 }` is an operator object; `{ givenName: 'Bob' }` is a value compared for equality. */
function isOperatorObject(condition: unknown, where: string): condition is JsonObject {
  if (!isJsonObject(condition) || condition instanceof RegExp) return false;
  const keys = Object.keys(condition);
  const operatorKeys = keys.filter((key) => key.startsWith('$'));
  if (operatorKeys.length > 0 && operatorKeys.length < keys.length) {
    throw new UnsupportedQueryError(`Operators and field names are mixed${at(where)}`);
  }
  return operatorKeys.length > 0;
}

/** All operators of one field must hold (each may be satisfied by a different array element). */
function compileOperators(operators: JsonObject, where: string): ValuesPredicate {
  const tests: ValuesPredicate[] = [];
  for (const [operator, operand] of Object.entries(operators)) {
    if (operand === undefined) throw new UnsupportedQueryError(`${operator} has an undefined operand${at(where)}`);
    switch (operator) {
      case '$eq':
        tests.push(equalityPredicate(operand, where));
        break;
      case '$ne':
        tests.push(negate(equalityPredicate(operand, where)));
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        tests.push(rangePredicate(operator, operand, where));
        break;
      case '$in':
        tests.push(inPredicate(operand, where));
        break;
      case '$nin':
        tests.push(negate(inPredicate(operand, where)));
        break;
      case '$exists':
        tests.push(operand ? isPresent : negate(isPresent));
        break;
      case '$regex':
        tests.push(regexPredicate(toRegExp(operand, operators.$options, where)));
        break;
      case '$options':
        if (!('$regex' in operators)) throw new UnsupportedQueryError(`$options without $regex${at(where)}`);
        break;
      case '$elemMatch':
        tests.push(elemMatchPredicate(operand, where));
        break;
      case '$not':
        tests.push(negate(notOperand(operand, where)));
        break;
      default:
        throw new UnsupportedQueryError(
          `Unsupported query operator ${operator}${at(where)} (supported: $eq $ne $gt $gte $lt $lte $in $nin ` +
            '$exists $regex $options $elemMatch $not, and $and $or $nor at query level)',
        );
    }
  }
  if (tests.length === 1) return tests[0];
  return (values) => {
    for (const test of tests) if (!test(values)) return false;
    return true;
  };
}

function notOperand(operand: unknown, where: string): ValuesPredicate {
  if (operand instanceof RegExp) return regexPredicate(toRegExp(operand, undefined, where));
  if (!isJsonObject(operand) || Object.keys(operand).length === 0 || !isOperatorObject(operand, where)) {
    throw new UnsupportedQueryError(`$not needs an operator object or a regular expression${at(where)}`);
  }
  return compileOperators(operand, where);
}

/**
 * A predicate holds for the values at a path when it holds for one of them or, for an array value,
 * for the array itself or one of its elements (MongoDB looks one level into arrays).
 */
function anyValueOrElement(values: readonly unknown[], test: (value: unknown) => boolean): boolean {
  for (const value of values) {
    if (test(value)) return true;
    if (Array.isArray(value)) for (const element of value) if (test(element)) return true;
  }
  return false;
}

function negate(test: ValuesPredicate): ValuesPredicate {
  return (values) => !test(values);
}

function isPresent(values: readonly unknown[]): boolean {
  return values.some((value) => value !== undefined);
}

function equalityPredicate(expected: unknown, where: string): ValuesPredicate {
  if (expected instanceof RegExp) return regexPredicate(toRegExp(expected, undefined, where));
  const test = valueEquality(expected, where);
  return (values) => anyValueOrElement(values, test);
}

function valueEquality(expected: unknown, where: string): (value: unknown) => boolean {
  assertJsonValue(expected, where);
  // MongoDB: `null` matches null and a missing field.
  if (expected === null) return (value) => value === null || value === undefined;
  if (typeof expected !== 'object') return (value) => value === expected;
  return (value) => jsonEquals(value, expected);
}

function inPredicate(operand: unknown, where: string): ValuesPredicate {
  if (!Array.isArray(operand)) throw new UnsupportedQueryError(`$in and $nin need an array${at(where)}`);
  const tests = operand.map((candidate): ((value: unknown) => boolean) => {
    if (!(candidate instanceof RegExp)) return valueEquality(candidate, where);
    const pattern = toRegExp(candidate, undefined, where);
    return (value) => typeof value === 'string' && pattern.test(value);
  });
  return (values) => anyValueOrElement(values, (value) => tests.some((test) => test(value)));
}

/** Range operators compare only values of the operand's type (MongoDB "type bracketing"). */
function rangePredicate(operator: string, operand: unknown, where: string): ValuesPredicate {
  const holds: (order: number) => boolean =
    operator === '$gt'
      ? (order) => order > 0
      : operator === '$gte'
        ? (order) => order >= 0
        : operator === '$lt'
          ? (order) => order < 0
          : (order) => order <= 0;
  if (operand === null) {
    // null is the only value of its bracket: $gte/$lte null mean "is null or missing".
    return operator === '$gte' || operator === '$lte' ? equalityPredicate(null, where) : () => false;
  }
  let compare: (value: unknown) => number | undefined;
  switch (typeof operand) {
    case 'number':
      compare = (value) => (typeof value === 'number' ? compareNumberToOperand(value, operand) : undefined);
      break;
    case 'string':
      compare = (value) => (typeof value === 'string' ? compareStrings(value, operand) : undefined);
      break;
    case 'boolean':
      compare = (value) => (typeof value === 'boolean' ? Number(value) - Number(operand) : undefined);
      break;
    default:
      throw new UnsupportedQueryError(
        `${operator} compares strings, numbers, booleans or null only${at(where)} (instants are ISO-8601 strings)`,
      );
  }
  return (values) =>
    anyValueOrElement(values, (value) => {
      const order = compare(value);
      return order !== undefined && !Number.isNaN(order) && holds(order);
    });
}

/** NaN (comparable to nothing here) yields NaN, which no range operator accepts. */
function compareNumberToOperand(value: number, operand: number): number {
  if (value < operand) return -1;
  if (value > operand) return 1;
  return value === operand ? 0 : Number.NaN;
}

function regexPredicate(pattern: RegExp): ValuesPredicate {
  return (values) => anyValueOrElement(values, (value) => typeof value === 'string' && pattern.test(value));
}

function toRegExp(pattern: unknown, options: unknown, where: string): RegExp {
  if (options !== undefined && (typeof options !== 'string' || !REGEX_OPTIONS.test(options))) {
    throw new UnsupportedQueryError(`$options supports the flags i, m and s only${at(where)}`);
  }
  if (pattern instanceof RegExp) {
    // Without g/y a RegExp keeps no state between test() calls.
    const flags = typeof options === 'string' ? options : pattern.flags.replace(/[gy]/g, '');
    return new RegExp(pattern.source, flags);
  }
  if (typeof pattern !== 'string') throw new UnsupportedQueryError(`$regex needs a string or a RegExp${at(where)}`);
  try {
    return new RegExp(pattern, (options as string | undefined) ?? '');
  } catch (error) {
    throw new UnsupportedQueryError(`Invalid $regex${at(where)}: ${(error as Error).message}`);
  }
}

/**
 * `{$elemMatch: {type: 'work', primary: true}}`: one element (an object) satisfies the whole
 * sub-query, with paths relative to the element. `{$elemMatch: {$gt: 80, $lt: 90}}`: one element
 * (a scalar) satisfies every operator.
 */
function elemMatchPredicate(spec: unknown, where: string): ValuesPredicate {
  if (!isJsonObject(spec) || Object.keys(spec).length === 0) {
    throw new UnsupportedQueryError(`$elemMatch needs a non-empty query object${at(where)}`);
  }
  const keys = Object.keys(spec);
  const isFieldOperator = (key: string) => key.startsWith('$') && !LOGICAL_OPERATORS.has(key);
  if (keys.every(isFieldOperator)) {
    const elementTest = compileOperators(spec, `${where}.$elemMatch`);
    return (values) => values.some((value) => Array.isArray(value) && value.some((element) => elementTest([element])));
  }
  if (keys.some(isFieldOperator)) {
    throw new UnsupportedQueryError(`$elemMatch mixes field operators and field names${at(where)}`);
  }
  const elementQuery = compileConjunction(spec, `${where}.$elemMatch`);
  return (values) =>
    values.some((value) => Array.isArray(value) && value.some((element) => isJsonObject(element) && elementQuery(element)));
}

/** Query values are JSON: a Date or an undefined would be encoded differently by the MongoDB driver. */
function assertJsonValue(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return;
  if (Array.isArray(value)) {
    for (const element of value) assertJsonValue(element, where);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const field of Object.values(value)) assertJsonValue(field, where);
    return;
  }
  const description = value === undefined ? 'undefined' : ((value as object).constructor?.name ?? typeof value);
  throw new UnsupportedQueryError(`Unsupported value ${description}${at(where)}: query values are JSON`);
}

function joinPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function at(where: string): string {
  return where === '' ? '' : ` at "${where}"`;
}
