/**
 * Value semantics shared by the matcher, the sort and the embedded store's indexes, following
 * MongoDB for the JSON subset of BSON that read-model documents use.
 */

import { UnsupportedQueryError } from './unsupported-query.error';

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

export function splitPath(path: string): readonly string[] {
  const segments = path.split('.');
  if (path.length === 0 || segments.some((segment) => segment.length === 0)) {
    throw new UnsupportedQueryError(`Invalid field path "${path}"`);
  }
  return segments;
}

/**
 * Every value a dotted path reaches, MongoDB style: an array met before the last segment is
 * traversed element by element (objects only), a numeric segment on an array selects by position.
 * A path that reaches nothing yields `[undefined]` ("missing").
 *
 * Arrays found at the end of the path are returned as they are; predicates look into them.
 */
export function valuesAtPath(root: unknown, segments: readonly string[]): unknown[] {
  const found: unknown[] = [];
  collectValues(root, segments, 0, found);
  if (found.length === 0) found.push(undefined);
  return found;
}

function collectValues(value: unknown, segments: readonly string[], depth: number, found: unknown[]): void {
  if (depth === segments.length) {
    found.push(value);
    return;
  }
  const segment = segments[depth];
  if (Array.isArray(value)) {
    if (ARRAY_INDEX.test(segment)) {
      const index = Number(segment);
      if (index < value.length) collectValues(value[index], segments, depth + 1, found);
      return;
    }
    for (const element of value) {
      // MongoDB does not look into arrays nested directly in arrays, nor into scalars.
      if (isJsonObject(element)) collectValues(fieldOf(element, segment), segments, depth + 1, found);
    }
    return;
  }
  if (isJsonObject(value)) {
    collectValues(fieldOf(value, segment), segments, depth + 1, found);
    return;
  }
  found.push(undefined);
}

function fieldOf(object: JsonObject, field: string): unknown {
  // Own properties only: a path named "constructor" must not reach Object.prototype.
  return Object.hasOwn(object, field) ? object[field] : undefined;
}

/**
 * MongoDB equality: same type and value; arrays element-wise; embedded documents field by field
 * in the same order (`{a:1,b:2}` does not equal `{b:2,a:1}` in MongoDB either).
 */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let i = 0; i < aKeys.length; i++) {
    const key = aKeys[i];
    if (key !== bKeys[i]) return false;
    if (!jsonEquals((a as JsonObject)[key], (b as JsonObject)[key])) return false;
  }
  return true;
}

/**
 * Sorts below everything, null included: how MongoDB orders an empty array in a sort (the sort key
 * of `[]` is BSON undefined).
 */
export const EMPTY_ARRAY_SORT_KEY: unique symbol = Symbol('empty array');

/** BSON comparison order (MongoDB "Comparison/Sort Order"), restricted to JSON types. */
function typeRank(value: unknown): number {
  if (value === EMPTY_ARRAY_SORT_KEY) return 0;
  if (value === undefined || value === null) return 1;
  switch (typeof value) {
    case 'number':
      return 2;
    case 'string':
      return 3;
    case 'boolean':
      return 8;
    case 'object':
      return Array.isArray(value) ? 5 : 4;
    default:
      throw new TypeError(`Unsupported value of type ${typeof value} in a read-model document`);
  }
}

/** Total order of MongoDB over JSON values; missing and null are equal. */
export function compareValues(a: unknown, b: unknown): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case 2:
      return compareNumbers(a as number, b as number);
    case 3:
      return compareStrings(a as string, b as string);
    case 8:
      return a === b ? 0 : a ? 1 : -1;
    case 4:
      return compareObjects(a as JsonObject, b as JsonObject);
    case 5:
      return compareArrays(a as readonly unknown[], b as readonly unknown[]);
    default:
      return 0;
  }
}

function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // MongoDB orders NaN below every other number.
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
}

/**
 * MongoDB compares strings as UTF-8 bytes, which is code point order. JavaScript's `<` compares
 * UTF-16 code units, which differs only when a surrogate pair meets a character in U+E000–U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const unitA = a.charCodeAt(i);
    const unitB = b.charCodeAt(i);
    if (unitA !== unitB) {
      if (unitA >= 0xd800 && unitB >= 0xd800) return codePointRank(unitA) - codePointRank(unitB);
      return unitA - unitB;
    }
  }
  return a.length - b.length;
}

/** Surrogates (U+10000 and above once paired) rank after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareValues(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** Field by field in stored order: value type, then field name, then value. */
function compareObjects(a: JsonObject, b: JsonObject): number {
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  const length = Math.min(aKeys.length, bKeys.length);
  for (let i = 0; i < length; i++) {
    const aValue = a[aKeys[i]];
    const bValue = b[bKeys[i]];
    const byType = typeRank(aValue) - typeRank(bValue);
    if (byType !== 0) return byType < 0 ? -1 : 1;
    const byName = compareStrings(aKeys[i], bKeys[i]);
    if (byName !== 0) return byName;
    const byValue = compareValues(aValue, bValue);
    if (byValue !== 0) return byValue;
  }
  return aKeys.length - bKeys.length;
}
