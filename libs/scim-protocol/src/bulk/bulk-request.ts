import { badRequest, ScimError } from '../scim-error';
import { findKey, isPlainObject } from '../json';
import { ScimUrn } from '../urns';

/** What /ServiceProviderConfig advertises for /Bulk (RFC 7643 §5) and this parser enforces. */
export const BULK_LIMITS = {
  maxOperations: 1000,
  /** Bytes; enforced by the HTTP body layer, as for every route. */
  maxPayloadSize: 1_048_576,
} as const;

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type BulkResourceType = 'Users' | 'Groups';

/** One operation of a BulkRequest (RFC 7644 §3.7), validated; `id` may still be `bulkId:…`. */
export interface BulkOperation {
  readonly method: BulkMethod;
  readonly bulkId?: string;
  readonly version?: string;
  readonly path: string;
  readonly resourceType: BulkResourceType;
  readonly id?: string;
  readonly data?: unknown;
}

export interface BulkRequest {
  /** Errors after which processing stops (§3.7.3); undefined: never. */
  readonly failOnErrors?: number;
  readonly operations: readonly BulkOperation[];
}

const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
const PATH = /^\/(Users|Groups)(?:\/([^/?#]+))?$/;
const BULK_ID_REFERENCE = /^bulkId:(.+)$/;

/**
 * Validates a BulkRequest body: 413 for more operations than `maxOperations` (§3.7.4), 400
 * `invalidSyntax`/`invalidValue` naming the first bad operation otherwise. Operation bodies are
 * validated later, each by its own route's rules.
 */
export function parseBulkRequest(body: unknown, maxOperations: number = BULK_LIMITS.maxOperations): BulkRequest {
  if (!isPlainObject(body)) throw badRequest('invalidSyntax', 'A BulkRequest must be a JSON object');
  const schemas = body[findKey(body, 'schemas') ?? 'schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(ScimUrn.BulkRequest)) {
    throw badRequest('invalidSyntax', `A BulkRequest must list "${ScimUrn.BulkRequest}" in "schemas"`);
  }
  const operations = body[findKey(body, 'Operations') ?? 'Operations'];
  if (!Array.isArray(operations) || operations.length === 0) throw badRequest('invalidSyntax', '"Operations" must be a non-empty array');
  if (operations.length > maxOperations) {
    throw new ScimError(413, `A BulkRequest may hold at most ${maxOperations} operations (see /ServiceProviderConfig); this one has ${operations.length}`);
  }
  const failOnErrors = body[findKey(body, 'failOnErrors') ?? 'failOnErrors'];
  if (failOnErrors !== undefined && !(Number.isInteger(failOnErrors) && (failOnErrors as number) >= 1)) {
    throw badRequest('invalidValue', '"failOnErrors" must be an integer of at least 1');
  }
  const parsed = operations.map((operation, index) => parseOperation(operation, index));
  const bulkIds = new Set<string>();
  for (const [index, { bulkId }] of parsed.entries()) {
    if (bulkId === undefined) continue;
    if (bulkIds.has(bulkId)) throw badRequest('invalidValue', `Operations[${index}]: bulkId "${bulkId}" is used by an earlier operation`);
    bulkIds.add(bulkId);
  }
  return { ...(failOnErrors !== undefined ? { failOnErrors: failOnErrors as number } : {}), operations: parsed };
}

function parseOperation(operation: unknown, index: number): BulkOperation {
  const at = `Operations[${index}]`;
  if (!isPlainObject(operation)) throw badRequest('invalidSyntax', `${at} must be an object`);
  const field = (name: string) => operation[findKey(operation, name) ?? name];
  const method = field('method');
  const upper = typeof method === 'string' ? method.toUpperCase() : undefined;
  if (!upper || !METHODS.includes(upper as BulkMethod)) throw badRequest('invalidValue', `${at}: "method" must be one of ${METHODS.join(', ')}`);
  const path = field('path');
  const match = typeof path === 'string' ? PATH.exec(path) : null;
  if (!match) throw badRequest('invalidPath', `${at}: "path" must be /Users, /Groups, /Users/{id} or /Groups/{id}`);
  const [, resourceType, id] = match;
  if ((upper === 'POST') !== (id === undefined)) {
    throw badRequest('invalidPath', `${at}: ${upper} ${upper === 'POST' ? 'goes to /Users or /Groups' : 'needs the resource id in "path"'}`);
  }
  const bulkId = field('bulkId');
  if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === '')) throw badRequest('invalidValue', `${at}: "bulkId" must be a non-empty string`);
  // §3.7: bulkId is REQUIRED for POST, so that later operations (and the client) can name the result.
  if (upper === 'POST' && bulkId === undefined) throw badRequest('invalidValue', `${at}: a POST needs a "bulkId"`);
  const version = field('version');
  if (version !== undefined && typeof version !== 'string') throw badRequest('invalidValue', `${at}: "version" must be an ETag string`);
  const data = field('data');
  if (upper !== 'DELETE' && !isPlainObject(data)) throw badRequest('invalidSyntax', `${at}: ${upper} needs "data", the request body as an object`);
  return {
    method: upper as BulkMethod,
    path: path as string,
    resourceType: resourceType as BulkResourceType,
    ...(id !== undefined ? { id } : {}),
    ...(bulkId !== undefined ? { bulkId: bulkId as string } : {}),
    ...(version !== undefined ? { version: version as string } : {}),
    ...(upper !== 'DELETE' ? { data } : {}),
  };
}

/** The bulkIds an operation refers to, in its path and anywhere in its data (`"bulkId:…"` strings). */
export function bulkIdReferences(operation: BulkOperation): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const match = BULK_ID_REFERENCE.exec(value);
      if (match) found.add(match[1]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isPlainObject(value)) Object.values(value).forEach(visit);
  };
  visit(operation.id);
  visit(operation.data);
  return found;
}

/** The operation with every `bulkId:…` reference replaced by the id its operation created; each must be in `ids`. */
export function resolveBulkIds(operation: BulkOperation, ids: ReadonlyMap<string, string>): BulkOperation {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = BULK_ID_REFERENCE.exec(value);
      return match ? (ids.get(match[1]) ?? value) : value;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (isPlainObject(value)) {
      // fromEntries defines own keys: a "__proto__" key in data stays data.
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, resolve(v)]));
    }
    return value;
  };
  return { ...operation, ...(operation.id !== undefined ? { id: resolve(operation.id) as string } : {}), ...(operation.data !== undefined ? { data: resolve(operation.data) } : {}) };
}
