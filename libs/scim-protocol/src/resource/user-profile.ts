import type { UserProfile } from '@scim/domain';
import { badRequest } from '../scim-error';
import { Notes } from '../notes';
import { userResourceSchema, type ResourceSchema } from '../schema/resource-schema';
import { RESOURCE_LIMITS } from '../schema/limits';
import { normalizeResourceAttributes, requireObject, requireSchemas } from './normalize';

// The domain's stored shape of a user: what normalisation produces (one type on both sides).
export type { UserProfile } from '@scim/domain';

/** A user request body read into a profile, its lifecycle flag, and the quirks accepted on the way. */
export interface NormalizedUser {
  readonly profile: UserProfile;
  /** Undefined when the body does not say (RFC 7643 §4.1.1: the service decides the default). */
  readonly active: boolean | undefined;
  readonly notes: string[];
}

/**
 * Validates and canonicalises a User body (POST, PUT). Throws ScimError 400: `invalidSyntax` when
 * the body is not an object or `schemas` lacks the core User URN; `invalidValue` when userName is
 * missing, empty or not a string, an attribute has the wrong type (the detail names its path), a
 * multi-valued attribute has two primary values, or a value or the whole user exceeds
 * {@link RESOURCE_LIMITS}; an extension `schema` does not know is refused (`invalidValue` naming
 * its URN). `schema` is the account's (`accountSchemas`): the service's User plus its declared extensions.
 */
export function normalizeUserProfile(body: unknown, schema: ResourceSchema = userResourceSchema): NormalizedUser {
  const notes = new Notes();
  const object = requireObject(body, 'A User');
  requireSchemas(object, schema, notes);
  return finishUser(normalizeResourceAttributes(schema, object, notes), notes);
}

/** Splits `active` off canonical attributes and checks userName. Shared with PATCH. */
export function finishUser(attributes: Record<string, unknown>, notes: Notes): NormalizedUser {
  const { active, ...profile } = attributes;
  if (typeof profile.userName !== 'string') {
    throw badRequest('invalidValue', 'Attribute "userName" is required and must be a non-empty string');
  }
  // Each value is bounded, but 100 emails of 4 KB each would still make a 400 KB user.
  const size = JSON.stringify(profile).length;
  if (size > RESOURCE_LIMITS.maxResourceLength) {
    throw badRequest('invalidValue', `The User is ${size} characters of JSON; the limit is ${RESOURCE_LIMITS.maxResourceLength}`);
  }
  return { profile: profile as UserProfile, active: active as boolean | undefined, notes: notes.list() };
}
