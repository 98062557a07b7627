/**
 * Compiles the port's MongoDB query subset (read-store.port.ts) to SQLite SQL over a JSON column,
 * with MongoDB's semantics: a dotted path reaches every value it can through arrays of objects, a
 * condition holds when one of those values (or one element of an array value) satisfies it, and
 * comparisons stay within one type ("type bracketing"). Every value is a bound parameter.
 */
import type { Query, SortSpec } from '../read-store.port';

/** A query or sort that uses something outside the subset documented in read-store.port.ts. */
export class UnsupportedQueryError extends Error {
  override name = 'UnsupportedQueryError';
}

/** SQL text with named parameters (`@p0`…) and their values. */
export interface Sql {
  readonly text: string;
  readonly params: Record<string, string | number>;
}

/** The SQL function `$regex` calls: (source, flags, value) → 1 or 0. Registered by the store. */
export const REGEXP_FUNCTION = 'js_regexp';

const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);
const REGEX_OPTIONS = /^[ims]*$/;
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;
const FIELD_NAME = /^[^"\\\0]+$/;

type JsonObject = Readonly<Record<string, unknown>>;

/** The SQL of a top-level field's JSON (NULL when missing): from a document, or from where a store keeps the field. */
export type FieldSource = (field: string) => string;

/** The fields of the JSON document that the SQL expression `doc` yields. */
export function fieldsOf(doc: string): FieldSource {
  return (field) => `${doc} -> '${jsonPathOf(field).replaceAll("'", "''")}'`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

class Compilation {
  readonly params: Record<string, string | number> = Object.create(null);
  private names = 0;

  /** `prefix` keeps the parameters of a filter and a sort used in one statement apart. */
  constructor(private readonly prefix: string) {}

  param(value: string | number): string {
    const name = `${this.prefix}${this.names++}`;
    this.params[name] = value;
    return `@${name}`;
  }

  alias(): string {
    return `${this.prefix}q${this.names++}`;
  }
}

/** A WHERE condition for `query` over a document's fields; throws `UnsupportedQueryError` for anything outside the subset. */
export function compileFilter(query: Query, doc: FieldSource): Sql {
  if (!isJsonObject(query)) throw new UnsupportedQueryError('A query must be an object');
  const compilation = new Compilation('p');
  return { text: conjunction(compilation, query, doc, ''), params: compilation.params };
}

/**
 * ORDER BY terms in MongoDB's order: missing and null before numbers, strings (by code point, as
 * SQLite's BINARY collation compares UTF-8), objects, booleans; an array by its smallest element
 * ascending and its largest descending, an empty array lowest of all.
 */
export function compileSort(sort: SortSpec, doc: FieldSource): Sql {
  if (!Array.isArray(sort) || sort.length === 0) throw new UnsupportedQueryError('A sort needs at least one field');
  const compilation = new Compilation('s');
  const terms = sort.map(([path, direction]) => {
    if (direction !== 1 && direction !== -1) throw new UnsupportedQueryError(`Sort direction of "${path}" must be 1 or -1`);
    const alias = compilation.alias();
    const aggregate = direction === 1 ? 'MIN' : 'MAX';
    const candidates = candidatesOf(compilation, nodesOf(compilation, doc, splitPath(path)));
    return `(SELECT ${aggregate}(${keyOf(columnsOf(alias))}) FROM (${candidates}) ${alias} WHERE ${alias}.t IS NOT 'array' OR ${alias}.element) ${direction === 1 ? 'ASC' : 'DESC'}`;
  });
  return { text: terms.join(', '), params: compilation.params };
}

/** A JSON path (SQLite syntax) for one field name. */
export function jsonPathOf(field: string): string {
  if (!FIELD_NAME.test(field)) throw new UnsupportedQueryError(`Unsupported field name "${field}"`);
  return `$."${field}"`;
}

export function splitPath(path: string): string[] {
  const segments = typeof path === 'string' ? path.split('.') : [];
  if (segments.length === 0 || segments.some((segment) => segment.length === 0)) throw new UnsupportedQueryError(`Invalid field path "${String(path)}"`);
  for (const segment of segments) jsonPathOf(segment);
  return segments;
}

function conjunction(compilation: Compilation, query: JsonObject, doc: FieldSource, where: string): string {
  const clauses = Object.entries(query).map(([key, condition]) =>
    key.startsWith('$') ? logical(compilation, key, condition, doc, where) : field(compilation, key, condition, doc, where === '' ? key : `${where}.${key}`),
  );
  return clauses.length === 0 ? '1' : clauses.map((clause) => `(${clause})`).join(' AND ');
}

function logical(compilation: Compilation, operator: string, operand: unknown, doc: FieldSource, where: string): string {
  if (!LOGICAL_OPERATORS.has(operator)) throw new UnsupportedQueryError(`Unsupported top-level operator ${operator}${at(where)}`);
  if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isJsonObject)) throw new UnsupportedQueryError(`${operator} needs a non-empty array of queries${at(where)}`);
  const branches = operand.map((branch) => `(${conjunction(compilation, branch, doc, where)})`);
  if (operator === '$and') return branches.join(' AND ');
  const any = branches.join(' OR ');
  return operator === '$or' ? any : `NOT (${any})`;
}

function field(compilation: Compilation, path: string, condition: unknown, doc: FieldSource, where: string): string {
  const nodes = nodesOf(compilation, doc, splitPath(path));
  return isOperatorObject(condition, where) ? operators(compilation, condition, nodes, where) : equality(compilation, condition, nodes, where);
}

/**
 * Every value the path reaches, one JSON text per row (NULL where it reaches nothing), MongoDB
 * style: an array met before the last segment is traversed element by element (objects only), a
 * numeric segment on an array selects by position.
 */
function nodesOf(compilation: Compilation, doc: FieldSource, segments: readonly string[]): string {
  let nodes = `SELECT ${doc(segments[0])} AS j`;
  for (const segment of segments.slice(1)) {
    const [n, e] = [compilation.alias(), compilation.alias()];
    const path = compilation.param(jsonPathOf(segment));
    const notArray = `SELECT ${n}.j -> ${path} AS j FROM (${nodes}) ${n} WHERE json_type(${n}.j) IS NOT 'array'`;
    nodes = ARRAY_INDEX.test(segment)
      ? `${notArray} UNION ALL SELECT ${n}.j -> ${compilation.param(`$[${segment}]`)} FROM (${nodes}) ${n} WHERE json_type(${n}.j) = 'array'`
      : `${notArray} UNION ALL SELECT ${e}.value -> ${path} FROM (${nodes}) ${n}, json_each(${n}.j) ${e} WHERE json_type(${n}.j) = 'array' AND ${e}.type = 'object'`;
  }
  return nodes;
}

/** A value a condition is tested on: SQL for its JSON (t)ype, its SQL (a)tom, its (j)son text. */
interface Candidate {
  readonly t: string;
  readonly a: string;
  readonly j: string;
}

function columnsOf(alias: string): Candidate {
  return { t: `${alias}.t`, a: `${alias}.a`, j: `${alias}.j` };
}

/** The values a condition is tested on: each node and each element of an array node, as (t)ype, (a)tom, (j)son, and whether an `element`. */
function candidatesOf(compilation: Compilation, nodes: string): string {
  const [n, e] = [compilation.alias(), compilation.alias()];
  return (
    `SELECT json_type(${n}.j) AS t, ${n}.j ->> '$' AS a, ${n}.j AS j, 0 AS element FROM (${nodes}) ${n} ` +
    `UNION ALL SELECT ${e}.type, ${e}.atom, ${e}.value, 1 FROM (${nodes}) ${n}, json_each(${n}.j) ${e} WHERE json_type(${n}.j) = 'array'`
  );
}

/** Holds when some candidate satisfies `test` (a condition on the alias it is given). */
function anyCandidate(compilation: Compilation, nodes: string, test: (c: Candidate) => string): string {
  const c = compilation.alias();
  return `EXISTS (SELECT 1 FROM (${candidatesOf(compilation, nodes)}) ${c} WHERE ${test(columnsOf(c))})`;
}

/** `{ $gt: 1 }` is an operator object; `{ givenName: 'Bob' }` is a value compared for equality. */
function isOperatorObject(condition: unknown, where: string): condition is JsonObject {
  if (!isJsonObject(condition)) return false;
  const keys = Object.keys(condition);
  const operatorKeys = keys.filter((key) => key.startsWith('$'));
  if (operatorKeys.length > 0 && operatorKeys.length < keys.length) throw new UnsupportedQueryError(`Operators and field names are mixed${at(where)}`);
  return operatorKeys.length > 0;
}

/** All operators of one field must hold (each may be satisfied by a different array element). */
function operators(compilation: Compilation, ops: JsonObject, nodes: string, where: string): string {
  const tests = Object.entries(ops).map(([operator, operand]) => {
    if (operand === undefined) throw new UnsupportedQueryError(`${operator} has an undefined operand${at(where)}`);
    switch (operator) {
      case '$eq':
        return equality(compilation, operand, nodes, where);
      case '$ne':
        return `NOT (${equality(compilation, operand, nodes, where)})`;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        return range(compilation, operator, operand, nodes, where);
      case '$in':
        return among(compilation, operand, nodes, where);
      case '$nin':
        return `NOT (${among(compilation, operand, nodes, where)})`;
      case '$exists':
        return `${operand ? '' : 'NOT '}EXISTS (SELECT 1 FROM (${nodes}) x WHERE x.j IS NOT NULL)`;
      case '$regex':
        return regex(compilation, toRegExp(operand, ops.$options, where), nodes);
      case '$options':
        if (!('$regex' in ops)) throw new UnsupportedQueryError(`$options without $regex${at(where)}`);
        return '1';
      case '$elemMatch':
        return elemMatch(compilation, operand, nodes, where);
      case '$not':
        if (operand instanceof RegExp) return `NOT (${regex(compilation, toRegExp(operand, undefined, where), nodes)})`;
        if (!isJsonObject(operand) || !isOperatorObject(operand, where)) throw new UnsupportedQueryError(`$not needs an operator object or a regular expression${at(where)}`);
        return `NOT (${operators(compilation, operand, nodes, where)})`;
      default:
        throw new UnsupportedQueryError(
          `Unsupported query operator ${operator}${at(where)} (supported: $eq $ne $gt $gte $lt $lte $in $nin ` +
            '$exists $regex $options $elemMatch $not, and $and $or $nor at query level)',
        );
    }
  });
  return tests.map((test) => `(${test})`).join(' AND ');
}

// MongoDB: `null` matches null, a missing field, and a path that reaches nothing.
function isNullOrMissing(compilation: Compilation, nodes: string): string {
  return `NOT EXISTS (SELECT 1 FROM (${nodes}) x) OR ${anyCandidate(compilation, nodes, (c) => `${c.t} IS NULL OR ${c.t} = 'null'`)}`;
}

function equality(compilation: Compilation, expected: unknown, nodes: string, where: string): string {
  if (expected instanceof RegExp) return regex(compilation, toRegExp(expected, undefined, where), nodes);
  if (expected === null) return isNullOrMissing(compilation, nodes);
  return anyCandidate(compilation, nodes, (c) => equals(compilation, c, expected, where));
}

/** A candidate equals a (non-null) JSON value: same type, same value; documents and arrays as JSON text. */
function equals(compilation: Compilation, c: Candidate, expected: unknown, where: string): string {
  switch (typeof expected) {
    case 'string':
      return `${c.t} = 'text' AND ${c.a} = ${compilation.param(expected)}`;
    case 'number':
      if (!Number.isFinite(expected)) return '0';
      return `${c.t} IN ('integer', 'real') AND ${c.a} = ${compilation.param(expected)}`;
    case 'boolean':
      return `${c.t} = '${expected}'`;
    default:
      assertJsonValue(expected, where);
      // CASE, not AND: json() must not see the plain text of a string element.
      return `CASE WHEN ${c.t} = '${Array.isArray(expected) ? 'array' : 'object'}' THEN json(${c.j}) = json(${compilation.param(JSON.stringify(expected))}) ELSE 0 END`;
  }
}

function among(compilation: Compilation, operand: unknown, nodes: string, where: string): string {
  if (!Array.isArray(operand)) throw new UnsupportedQueryError(`$in and $nin need an array${at(where)}`);
  const tests: string[] = [];
  const scalars: unknown[] = [];
  for (const candidate of operand) {
    if (candidate === null || typeof candidate === 'object') tests.push(equality(compilation, candidate, nodes, where));
    else if (typeof candidate !== 'number' || Number.isFinite(candidate)) scalars.push(assertJsonValue(candidate, where) ?? candidate);
  }
  // One parameter for any number of values (a group's 10,000 member ids), which SQLite turns into
  // an index once per statement: same type, same value.
  const listOf = (type: string) => compilation.param(JSON.stringify(scalars.filter((value) => typeof value === type)));
  const [strings, numbers] = [listOf('string'), listOf('number')];
  const booleans = [true, false].filter((value) => scalars.includes(value)).map((value) => `'${value}'`);
  const listed = (c: Candidate) =>
    `(${c.t} = 'text' AND ${c.a} IN (SELECT value FROM json_each(${strings}))) OR (${c.t} IN ('integer', 'real') AND ${c.a} IN (SELECT value FROM json_each(${numbers})))` +
    (booleans.length > 0 ? ` OR ${c.t} IN (${booleans.join(', ')})` : '');
  if (scalars.length > 0) tests.push(anyCandidate(compilation, nodes, listed));
  return tests.length === 0 ? '0' : tests.map((test) => `(${test})`).join(' OR ');
}

/** Range operators compare only values of the operand's type (MongoDB "type bracketing"). */
function range(compilation: Compilation, operator: string, operand: unknown, nodes: string, where: string): string {
  const sign = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator as '$gt'];
  // null is the only value of its bracket: $gte/$lte null mean "is null or missing".
  if (operand === null) return operator === '$gte' || operator === '$lte' ? isNullOrMissing(compilation, nodes) : '0';
  switch (typeof operand) {
    case 'number':
      return anyCandidate(compilation, nodes, (c) => `${c.t} IN ('integer', 'real') AND ${c.a} ${sign} ${compilation.param(operand)}`);
    case 'string':
      return anyCandidate(compilation, nodes, (c) => `${c.t} = 'text' AND ${c.a} ${sign} ${compilation.param(operand)}`);
    case 'boolean':
      return anyCandidate(compilation, nodes, (c) => `${c.t} IN ('true', 'false') AND (${c.t} = 'true') ${sign} ${operand ? 1 : 0}`);
    default:
      throw new UnsupportedQueryError(`${operator} compares strings, numbers, booleans or null only${at(where)} (instants are ISO-8601 strings)`);
  }
}

function regex(compilation: Compilation, pattern: RegExp, nodes: string): string {
  const [source, flags] = [compilation.param(pattern.source), compilation.param(pattern.flags)];
  return anyCandidate(compilation, nodes, (c) => `${c.t} = 'text' AND ${REGEXP_FUNCTION}(${source}, ${flags}, ${c.a})`);
}

function toRegExp(pattern: unknown, options: unknown, where: string): RegExp {
  if (options !== undefined && (typeof options !== 'string' || !REGEX_OPTIONS.test(options))) throw new UnsupportedQueryError(`$options supports the flags i, m and s only${at(where)}`);
  if (pattern instanceof RegExp) return new RegExp(pattern.source, typeof options === 'string' ? options : pattern.flags.replace(/[gy]/g, ''));
  if (typeof pattern !== 'string') throw new UnsupportedQueryError(`$regex needs a string or a RegExp${at(where)}`);
  try {
    return new RegExp(pattern, (options as string | undefined) ?? '');
  } catch (error) {
    throw new UnsupportedQueryError(`Invalid $regex${at(where)}: ${(error as Error).message}`);
  }
}

/**
 * `{$elemMatch: {type: 'work', primary: true}}`: one element (an object) satisfies the whole
 * sub-query, paths relative to it. `{$elemMatch: {$gt: 80, $lt: 90}}`: one element satisfies every operator.
 */
function elemMatch(compilation: Compilation, spec: unknown, nodes: string, where: string): string {
  if (!isJsonObject(spec) || Object.keys(spec).length === 0) throw new UnsupportedQueryError(`$elemMatch needs a non-empty query object${at(where)}`);
  const keys = Object.keys(spec);
  const isFieldOperator = (key: string) => key.startsWith('$') && !LOGICAL_OPERATORS.has(key);
  if (keys.some(isFieldOperator) && !keys.every(isFieldOperator)) throw new UnsupportedQueryError(`$elemMatch mixes field operators and field names${at(where)}`);
  const [n, e] = [compilation.alias(), compilation.alias()];
  const element = `${n}.j -> ('$[' || ${e}.key || ']')`;
  const test = keys.every(isFieldOperator)
    ? operators(compilation, spec, `SELECT ${element} AS j`, `${where}.$elemMatch`)
    : `${e}.type = 'object' AND ${conjunction(compilation, spec, fieldsOf(`(${element})`), `${where}.$elemMatch`)}`;
  return `EXISTS (SELECT 1 FROM (${nodes}) ${n}, json_each(${n}.j) ${e} WHERE json_type(${n}.j) = 'array' AND ${test})`;
}

/** Query values are JSON: a Date or an undefined would be encoded differently by the MongoDB driver. */
function assertJsonValue(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return;
  if (Array.isArray(value) || (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)) {
    for (const element of Object.values(value as object)) assertJsonValue(element, where);
    return;
  }
  const description = value === undefined ? 'undefined' : ((value as object).constructor?.name ?? typeof value);
  throw new UnsupportedQueryError(`Unsupported value ${description}${at(where)}: query values are JSON`);
}

function at(where: string): string {
  return where === '' ? '' : ` at "${where}"`;
}

/**
 * The SQL value a candidate (alias `c`) sorts by, in MongoDB's type order: missing and null as
 * -Infinity, numbers and strings as themselves (SQLite orders numbers before text), then objects
 * and booleans as blobs (after text). Objects and arrays compare by their JSON text with closing
 * brackets lowest, so that `{"a":1}` precedes `{"a":1,"b":2}`: MongoDB's field-by-field order for
 * the simple cases (numbers inside still compare as text).
 */
function keyOf(c: Candidate): string {
  return (
    `CASE WHEN ${c.t} IS NULL OR ${c.t} = 'null' THEN -9e999 WHEN ${c.t} IN ('integer', 'real', 'text') THEN ${c.a} ` +
    `WHEN ${c.t} IN ('object', 'array') THEN CAST(char(4 + (${c.t} = 'array')) || replace(replace(${c.j}, '}', char(1)), ']', char(1)) AS BLOB) ` +
    `ELSE CAST(char(8) || ${c.t} AS BLOB) END`
  );
}
