/**
 * Test support: a reference evaluator of the MongoDB query subset that filterToQuery emits, with
 * MongoDB's array semantics ("emails.value" matches when any value does). It lets specs check what
 * a query matches, not only its shape. The read stores have their own, contract-tested evaluators.
 */
type Doc = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Values reachable at a dotted path, traversing arrays; a final array contributes its elements. */
function candidates(doc: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(doc) ? [...doc, doc] : [doc];
  if (Array.isArray(doc)) return doc.flatMap((item) => candidates(item, path));
  if (!isObject(doc) || !Object.hasOwn(doc, path[0])) return [];
  return candidates(doc[path[0]], path.slice(1));
}

/** The raw values at a path (arrays not flattened at the end), for $elemMatch. */
function rawValues(doc: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [doc];
  if (Array.isArray(doc)) return doc.flatMap((item) => rawValues(item, path));
  if (!isObject(doc) || !Object.hasOwn(doc, path[0])) return [];
  return rawValues(doc[path[0]], path.slice(1));
}

const comparable = (a: unknown, b: unknown) => (typeof a === 'string' && typeof b === 'string') || (typeof a === 'number' && typeof b === 'number');

function fieldMatches(doc: Doc, field: string, condition: unknown): boolean {
  const path = field.split('.');
  const values = candidates(doc, path);
  if (!isObject(condition) || !Object.keys(condition).every((k) => k.startsWith('$'))) {
    return values.some((v) => v === condition);
  }
  return Object.entries(condition).every(([op, arg]) => {
    switch (op) {
      case '$ne':
        return !values.some((v) => v === arg);
      case '$exists':
        return arg ? values.length > 0 : values.length === 0;
      case '$regex':
        return values.some((v) => typeof v === 'string' && new RegExp(arg as string).test(v));
      case '$gt':
        return values.some((v) => comparable(v, arg) && (v as number) > (arg as number));
      case '$gte':
        return values.some((v) => comparable(v, arg) && (v as number) >= (arg as number));
      case '$lt':
        return values.some((v) => comparable(v, arg) && (v as number) < (arg as number));
      case '$lte':
        return values.some((v) => comparable(v, arg) && (v as number) <= (arg as number));
      case '$elemMatch':
        return rawValues(doc, path).some((v) => Array.isArray(v) && v.some((item) => isObject(item) && matchesQuery(item, arg as Doc)));
      default:
        throw new Error(`operator ${op} is outside the supported subset`);
    }
  });
}

export function matchesQuery(doc: Doc, query: Doc): boolean {
  return Object.entries(query).every(([key, condition]) => {
    switch (key) {
      case '$and':
        return (condition as Doc[]).every((q) => matchesQuery(doc, q));
      case '$or':
        return (condition as Doc[]).some((q) => matchesQuery(doc, q));
      case '$nor':
        return !(condition as Doc[]).some((q) => matchesQuery(doc, q));
      default:
        if (key.startsWith('$')) throw new Error(`operator ${key} is outside the supported subset`);
        return fieldMatches(doc, key, condition);
    }
  });
}
