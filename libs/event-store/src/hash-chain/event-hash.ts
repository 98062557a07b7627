import { hash as digest } from 'node:crypto';
import type { EventMetadata } from '../event-store.port';
import { canonicalJson } from './canonical-json';

/** The metadata key holding an event's link in its stream's hash chain. */
export const CHAIN_METADATA_KEY = 'chain';

/** `prev` of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version of what `eventHash` covers; a change of the recipe would need a new one. */
const HASH_SCHEME = 1;

/** `metadata.chain`: the previous event's hash in the stream and this event's, SHA-256 in hex. */
export interface ChainLink {
  readonly prev: string;
  readonly hash: string;
}

/** What the hash covers: everything the writer decides. The store's position and time are not known yet. */
export interface HashedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: EventMetadata;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * SHA-256 over the canonical JSON (RFC 8785) of the event's id, stream, revision, type, data,
 * metadata without `chain`, and `prev`: changing any of them, or moving the event to another
 * place in its stream, changes the hash.
 */
export function eventHash(event: HashedEvent, prev: string): string {
  const { id, streamId, revision, type } = event;
  const plain = typeof id === 'string' && typeof streamId === 'string' && typeof type === 'string' && Number.isSafeInteger(revision);
  if (plain && isObject(event.data) && isObject(event.metadata) && SHA256_HEX.test(prev)) {
    // The same text canonicalJson gives for the object below, its members written in their sorted
    // order by hand: no copy of the top level.
    const text =
      `{"data":${canonicalJson(event.data)},"id":${JSON.stringify(id)},"metadata":${canonicalJson(withoutChain(event.metadata))},"prev":"${prev}",` +
      `"revision":${revision},"streamId":${JSON.stringify(streamId)},"type":${JSON.stringify(type)},"v":${HASH_SCHEME}}`;
    return digest('sha256', text, 'hex');
  }
  const covered = {
    v: HASH_SCHEME,
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    metadata: withoutChain(event.metadata),
    prev,
  };
  return digest('sha256', canonicalJson(covered), 'hex');
}

/** The event's link when its metadata holds a well-formed one. */
export function chainLinkOf(metadata: EventMetadata): ChainLink | undefined {
  const link = metadata[CHAIN_METADATA_KEY];
  if (typeof link !== 'object' || link === null) return undefined;
  const { prev, hash } = link as Record<string, unknown>;
  return typeof prev === 'string' && typeof hash === 'string' && SHA256_HEX.test(prev) && SHA256_HEX.test(hash)
    ? { prev, hash }
    : undefined;
}

/** The metadata without its link; itself when it holds none (a new event's: no copy). */
export function withoutChain(metadata: EventMetadata): Record<string, unknown> {
  if (!Object.hasOwn(metadata, CHAIN_METADATA_KEY)) return metadata;
  const { [CHAIN_METADATA_KEY]: _chain, ...rest } = metadata;
  return rest;
}

/**
 * The hash the next event of the stream links to: the recorded one, or, for an event written
 * before the chain existed, its own hash from the genesis value (so later events still pin its
 * content; `verifyChain` reports it as unchained all the same).
 */
export function linkHashOf(event: HashedEvent): string {
  return chainLinkOf(event.metadata)?.hash ?? eventHash(event, GENESIS_HASH);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
