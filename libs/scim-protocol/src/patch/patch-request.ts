import { badRequest } from '../scim-error';
import { findKey, isPlainObject } from '../json';
import type { PatchPath } from '../filter/ast';
import { parsePatchPath } from '../filter/parser';
import type { Note, Notes } from '../notes';
import { ScimUrn } from '../urns';

export type PatchOpName = 'add' | 'remove' | 'replace';

/** One validated operation of a PatchOp request (RFC 7644 §3.5.2). */
export interface PatchOperation {
  /** Lower-cased: Entra sends `Add`/`Replace`/`Remove`, OneLogin lower case (ops are case-insensitive). */
  readonly op: PatchOpName;
  /** The parsed `path`; absent for a path-less add/replace (the value is a set of attributes). */
  readonly path?: PatchPath;
  /** The `value` member; `undefined` when the operation has none. */
  readonly value?: unknown;
  /** Quirks seen while reading this operation, recorded as notes when it is applied. */
  readonly quirks: readonly Note[];
}

/**
 * Validates a PATCH body: `schemas` must contain the PatchOp URN and `Operations` must be a
 * non-empty array (400 `invalidSyntax`, or `invalidValue` when empty). Each operation needs an
 * `op` among add/remove/replace in any case (`invalidSyntax`), a syntactically valid `path` when
 * given (`invalidPath`), a `value` for add/replace (`invalidValue`), and a `path` for remove
 * (`noTarget`, RFC 7644 §3.5.2.2). Attribute names are resolved later, against the resource type.
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isPlainObject(body)) throw badRequest('invalidSyntax', 'A PATCH request must be a JSON object');
  const schemasKey = findKey(body, 'schemas');
  const schemas = schemasKey === undefined ? undefined : body[schemasKey];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === ScimUrn.PatchOp.toLowerCase())) {
    throw badRequest('invalidSyntax', `"schemas" must contain "${ScimUrn.PatchOp}"`);
  }
  const operationsKey = findKey(body, 'Operations');
  const operations = operationsKey === undefined ? undefined : body[operationsKey];
  if (!Array.isArray(operations)) throw badRequest('invalidSyntax', '"Operations" must be an array of PATCH operations');
  if (operations.length === 0) throw badRequest('invalidValue', '"Operations" must contain at least one operation');
  return operations.map(parseOperation);
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isPlainObject(raw)) throw badRequest('invalidSyntax', `${where} must be a JSON object`);
  const quirks: Note[] = [];
  const opKey = findKey(raw, 'op');
  const opText = opKey === undefined ? undefined : raw[opKey];
  const op = typeof opText === 'string' ? opText.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'remove' && op !== 'replace') {
    throw badRequest('invalidSyntax', `${where}.op must be "add", "remove" or "replace", got ${JSON.stringify(opText ?? null)}`);
  }

  const pathKey = findKey(raw, 'path');
  const pathText = pathKey === undefined ? undefined : raw[pathKey];
  let path: PatchPath | undefined;
  if (pathText === null || pathText === '') {
    quirks.push('empty-path-ignored');
  } else if (pathText !== undefined) {
    if (typeof pathText !== 'string') throw badRequest('invalidPath', `${where}.path must be a string`);
    path = parsePatchPath(pathText);
  }

  const valueKey = findKey(raw, 'value');
  const value = valueKey === undefined ? undefined : raw[valueKey];
  if (op !== 'remove' && valueKey === undefined) throw badRequest('invalidValue', `${where} (${op}) needs a "value"`);
  if (op === 'remove' && !path) throw badRequest('noTarget', `${where} (remove) needs a "path" naming what to remove`);
  return { op, ...(path ? { path } : {}), ...(valueKey !== undefined ? { value } : {}), quirks };
}

/**
 * The attributes of a path-less add/replace value (RFC 7644 §3.5.2.1, §3.5.2.3), each with its
 * parsed path. `schemas` and keys that are no attribute path are ignored, and noted.
 */
export function* pathlessAttributes(op: PatchOpName, value: unknown, notes: Notes): Iterable<{ readonly key: string; readonly path: PatchPath; readonly value: unknown }> {
  if (!isPlainObject(value)) throw badRequest('invalidValue', `A PATCH "${op}" without "path" needs an object of attributes as its "value"`);
  for (const [key, attributeValue] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') {
      notes.add('readonly-ignored:schemas');
      continue;
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(key);
    } catch {
      notes.add(`unknown-attribute-ignored:${key}`);
      continue;
    }
    yield { key, path, value: attributeValue };
  }
}
