import { decrypt, encrypt } from './key-wrapping';
import type { DataKey } from './subject-key-store.port';

/** The data field that holds an event's sealed personal fields. */
export const SEALED_FIELD = 'sealed';

/**
 * An event's personal fields as stored: AES-256-GCM of their JSON under the subject's data key,
 * bound to the stream and event id (a sealed value copied into another event does not open).
 * `fields` names what is inside, so an erased event can say which fields it had.
 */
export interface SealedFields {
  readonly v: 1;
  readonly keyId: string;
  readonly fields: readonly string[];
  /** base64 of `iv ‖ ciphertext ‖ tag`. */
  readonly box: string;
}

const associatedData = (streamId: string, eventId: string) => JSON.stringify(['sealed-fields', streamId, eventId]);

/**
 * `data` with `fields` replaced by one sealed value (fields absent from `data` are left out).
 * `onSealed` (when given) hears the sealed value and the JSON it holds.
 */
export function sealFields(
  data: Readonly<Record<string, unknown>>,
  fields: readonly string[],
  dataKey: DataKey,
  place: { readonly streamId: string; readonly eventId: string },
  onSealed?: (value: SealedFields, plainJson: string) => void,
): Record<string, unknown> {
  const personal: Record<string, unknown> = {};
  const present: string[] = [];
  for (const field of fields) {
    if (!Object.hasOwn(data, field)) continue;
    personal[field] = data[field];
    present.push(field);
  }
  // Copied once, without the personal fields (a spread then `delete` leaves a slow dictionary object).
  const clear: Record<string, unknown> = {};
  for (const field of Object.keys(data)) if (!present.includes(field)) setOwn(clear, field, data[field]);
  if (present.length === 0) return clear;
  const plainJson = JSON.stringify(personal);
  const box = encrypt(dataKey.key, Buffer.from(plainJson, 'utf8'), associatedData(place.streamId, place.eventId));
  const value: SealedFields = { v: 1, keyId: dataKey.keyId, fields: present, box: box.toString('base64') };
  onSealed?.(value, plainJson);
  clear[SEALED_FIELD] = value;
  return clear;
}

/** The sealed value of `data`, when it has a well-formed one. */
export function sealedFieldsOf(data: Readonly<Record<string, unknown>>): SealedFields | undefined {
  const value = data[SEALED_FIELD] as Partial<SealedFields> | null | undefined;
  if (typeof value !== 'object' || value === null || value.v !== 1) return undefined;
  if (typeof value.keyId !== 'string' || typeof value.box !== 'string' || !Array.isArray(value.fields)) return undefined;
  if (!value.fields.every((field) => typeof field === 'string')) return undefined;
  return value as SealedFields;
}

/**
 * `data` with its sealed value opened back into its fields; throws when the key or the bytes are
 * wrong. `plainJson`: what the box holds, when its sealer still knows it (no decryption then).
 */
export function openFields(
  data: Readonly<Record<string, unknown>>,
  sealed: SealedFields,
  key: Buffer,
  place: { readonly streamId: string; readonly eventId: string },
  plainJson?: string,
): Record<string, unknown> {
  const plain = plainJson ?? decrypt(key, Buffer.from(sealed.box, 'base64'), associatedData(place.streamId, place.eventId)).toString('utf8');
  const personal = JSON.parse(plain) as Record<string, unknown>;
  const { [SEALED_FIELD]: _sealed, ...clear } = data;
  const opened: Record<string, unknown> = { ...clear };
  for (const field of sealed.fields) if (Object.hasOwn(personal, field)) setOwn(opened, field, personal[field]);
  return opened;
}

/** `data` once its key is destroyed: each sealed field holds what `erasedValue` says instead. */
export function erasedFields(data: Readonly<Record<string, unknown>>, sealed: SealedFields, erasedValue: (field: string) => unknown): Record<string, unknown> {
  const { [SEALED_FIELD]: _sealed, ...clear } = data;
  const erased: Record<string, unknown> = { ...clear };
  for (const field of sealed.fields) setOwn(erased, field, erasedValue(field));
  return erased;
}

// Field names come from the stored event: "__proto__" must become a field, not a prototype.
function setOwn(target: Record<string, unknown>, field: string, value: unknown): void {
  if (field === '__proto__') Object.defineProperty(target, field, { value, enumerable: true, writable: true, configurable: true });
  else target[field] = value;
}
