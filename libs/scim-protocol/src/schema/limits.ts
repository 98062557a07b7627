import type { AttributeDefinition } from './attribute';

/**
 * Size limits on SCIM resources. RFC 7643 sets none; without them ~100 users with a 4 MB
 * displayName each (valid SCIM, under the body limit) exhausted the heap. Each is far above what
 * IdPs send; /Schemas states them in the attribute descriptions, README's SCIM section lists them.
 */
export const RESOURCE_LIMITS = {
  /** Characters in one string or reference value: a displayName, an email, an address line. */
  maxStringLength: 4_096,
  /** Characters in one binary (base64) value: an X.509 certificate with its chain. */
  maxBinaryLength: 16_384,
  /** Characters in a userName: e-mail addresses are at most 254, UPNs 113. */
  maxUserNameLength: 256,
  /** Values of one multi-valued attribute (emails, phoneNumbers, addresses, roles...), and URNs in `schemas`. */
  maxValues: 100,
  /** Characters of a whole User as JSON, extensions included (about 64 KB). */
  maxResourceLength: 65_536,
} as const;

/** The longest value an attribute of type string, reference or binary may hold. */
export function maxLengthOf(def: AttributeDefinition): number {
  return def.maxLength ?? (def.type === 'binary' ? RESOURCE_LIMITS.maxBinaryLength : RESOURCE_LIMITS.maxStringLength);
}

/** The most values a multi-valued attribute may hold; unbounded for group members (their body is capped by size). */
export function maxValuesOf(def: AttributeDefinition): number {
  return def.maxValues ?? RESOURCE_LIMITS.maxValues;
}

const TEXT_TYPES: ReadonlySet<AttributeDefinition['type']> = new Set(['string', 'reference', 'binary']);

/** The limits of an attribute, as a sentence for its /Schemas description ('' when it has none). */
export function limitsSentence(def: AttributeDefinition): string {
  // The service writes read-only attributes itself; a client's values are ignored.
  if (def.mutability === 'readOnly') return '';
  const parts: string[] = [];
  if (def.multiValued && Number.isFinite(maxValuesOf(def))) parts.push(`At most ${maxValuesOf(def)} values.`);
  if (TEXT_TYPES.has(def.type)) parts.push(`At most ${maxLengthOf(def)} characters${def.multiValued ? ' each' : ''}.`);
  return parts.join(' ');
}
