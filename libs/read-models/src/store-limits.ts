/**
 * MongoDB's size limits, which the embedded store enforces too (limits parity): a commit that the
 * tests here accept is one that production accepts.
 */
import type { DocumentChange } from './read-store.port';

/** MongoDB's maximum BSON document size (`maxBsonObjectSize`, 16 MiB). */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/**
 * The most one commit may carry, in BSON bytes of its documents and of the ids it deletes: one BSON
 * document's worth, so that the `$in` list naming every changed id, and each batch of inserts, fit
 * in one command. Larger batches are split into sub-commits (`splitIntoSubCommits`).
 */
export const MAX_COMMIT_BYTES = MAX_DOCUMENT_BYTES;

// Room for what the MongoDB adapter adds to each stored document (its creation instant `_created`).
const STORED_FIELDS_ALLOWANCE = 32;

/** A document is larger than MongoDB stores; the commit carrying it was refused whole. */
export class DocumentTooLargeError extends Error {
  constructor(
    readonly collection: string,
    readonly documentId: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`Document ${collection}/${documentId} takes ${bytes} BSON bytes, more than the ${maxBytes} a document may`);
    this.name = 'DocumentTooLargeError';
  }
}

/** A commit carries more than `MAX_COMMIT_BYTES`; it was refused whole (split it into sub-commits). */
export class CommitTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`A commit of ${bytes} BSON bytes exceeds the ${maxBytes} one commit may carry; split it`);
    this.name = 'CommitTooLargeError';
  }
}

/**
 * The bytes a change weighs in a commit: its document as MongoDB stores it, or for a deletion its
 * id as an element of the `$in` list.
 */
export function changeSizeInBytes(change: DocumentChange): number {
  return change.doc === null ? elementSize(7, change.id) : bsonDocumentSize(change.doc) + STORED_FIELDS_ALLOWANCE;
}

/**
 * Throws `DocumentTooLargeError` or `CommitTooLargeError` unless every document and the whole commit
 * fit MongoDB's limits. Called before a store changes anything.
 */
export function assertCommitWithinLimits(changes: readonly DocumentChange[], maxCommitBytes = MAX_COMMIT_BYTES): void {
  let total = 0;
  for (const change of changes) {
    const bytes = changeSizeInBytes(change);
    if (change.doc !== null && bytes > MAX_DOCUMENT_BYTES) {
      throw new DocumentTooLargeError(change.collection, change.id, bytes, MAX_DOCUMENT_BYTES);
    }
    total += bytes;
  }
  if (total > maxCommitBytes) throw new CommitTooLargeError(total, maxCommitBytes);
}

/**
 * The changes in consecutive parts that each weigh at most `maxBytes` (a change heavier than that
 * alone forms its own part, which the store then refuses with `DocumentTooLargeError`). Order is
 * kept, so later changes to a document still come after earlier ones.
 */
export function splitIntoSubCommits(changes: readonly DocumentChange[], maxBytes = MAX_COMMIT_BYTES / 2): DocumentChange[][] {
  const parts: DocumentChange[][] = [];
  let part: DocumentChange[] = [];
  let bytes = 0;
  for (const change of changes) {
    const size = changeSizeInBytes(change);
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(change);
    bytes += size;
  }
  if (part.length > 0 || parts.length === 0) parts.push(part);
  return parts;
}

/**
 * The BSON size of a JSON document as the MongoDB driver serializes it (bsonspec.org): integers of
 * 32 bits as int32, other numbers as doubles. Computed without serializing, and without loading the
 * driver in embedded mode.
 */
export function bsonDocumentSize(doc: Readonly<Record<string, unknown>>): number {
  let size = 4 + 1; // length prefix, terminating NUL
  for (const key in doc) {
    const value = doc[key];
    if (value === undefined || typeof value === 'function') continue;
    size += elementSize(Buffer.byteLength(key) + 1, value);
  }
  return size;
}

// Type byte, NUL-terminated key, then the value.
function elementSize(keyBytes: number, value: unknown): number {
  return 1 + keyBytes + valueSize(value);
}

function valueSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 4 + Buffer.byteLength(value) + 1;
    case 'number':
      return Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647 ? 4 : 8;
    case 'boolean':
      return 1;
    case 'object':
      if (value === null) return 0;
      if (Array.isArray(value)) {
        let size = 4 + 1;
        for (let index = 0; index < value.length; index++) size += elementSize(String(index).length + 1, value[index]);
        return size;
      }
      return bsonDocumentSize(value as Record<string, unknown>);
    default:
      return 0;
  }
}
