import { badRequest } from '../scim-error';
import { isPlainObject } from '../json';
import { Notes } from '../notes';
import { groupResourceSchema } from '../schema/resource-schema';
import { normalizeResourceAttributes, requireObject, requireSchemas } from './normalize';

/** The stored attributes of a group; membership is kept apart, as deltas. */
export interface GroupProfile {
  readonly displayName: string;
  readonly externalId?: string;
}

export interface NormalizedGroup {
  readonly profile: GroupProfile;
  /** Member ids (`members[].value`), duplicates removed, in request order. */
  readonly members: string[];
  readonly notes: string[];
}

/**
 * Validates a Group body (POST, PUT). Entra may send an extra Microsoft schema URN and no members;
 * both are fine. Throws ScimError 400 as {@link normalizeUserProfile} does; displayName is required
 * and every member needs a `value`.
 */
export function normalizeGroupProfile(body: unknown): NormalizedGroup {
  const notes = new Notes();
  const object = requireObject(body, 'A Group');
  requireSchemas(object, groupResourceSchema, notes);
  requireMemberValues(Object.entries(object).find(([key]) => key.toLowerCase() === 'members')?.[1], 'members');
  const attributes = normalizeResourceAttributes(groupResourceSchema, object, notes);
  const profile = groupProfileOf(attributes);
  const members = memberValues(attributes.members, 'members');
  return { profile, members, notes: notes.list() };
}

/** displayName (required) and externalId from canonical group attributes. */
export function groupProfileOf(attributes: Readonly<Record<string, unknown>>): GroupProfile {
  const { displayName, externalId } = attributes;
  if (typeof displayName !== 'string') {
    throw badRequest('invalidValue', 'Attribute "displayName" is required and must be a non-empty string');
  }
  return { displayName, ...(typeof externalId === 'string' ? { externalId } : {}) };
}

/**
 * Checks members as sent, before normalisation drops the readOnly `display`: a member of only a
 * `display` would otherwise vanish as empty instead of being refused.
 */
export function requireMemberValues(members: unknown, path: string): void {
  if (!Array.isArray(members)) return;
  for (const member of members) {
    if (isPlainObject(member) && !Object.keys(member).some((key) => key.toLowerCase() === 'value')) {
      throw badRequest('invalidValue', `Every value of "${path}" needs a "value" (the member's id)`);
    }
  }
}

/** The `value`s of canonical member objects, deduplicated; a member without one is invalid. */
export function memberValues(members: unknown, path: string): string[] {
  if (members === undefined) return [];
  const values = new Set<string>();
  for (const member of members as unknown[]) {
    const value = isPlainObject(member) ? member.value : undefined;
    if (typeof value !== 'string') throw badRequest('invalidValue', `Every value of "${path}" needs a "value" (the member's id)`);
    values.add(value);
  }
  return [...values];
}
