import { cloneJson } from '../json';
import { groupResourceSchema, userResourceSchema } from '../schema/resource-schema';
import { ScimUrn } from '../urns';

/** Service-maintained metadata of a resource; `version` is the stream revision. */
export interface ResourceMetaInput {
  readonly created: string;
  readonly lastModified: string;
  readonly version: number;
}

export interface UserRenderInput {
  readonly id: string;
  readonly profile: Readonly<Record<string, unknown>>;
  /** Undefined: unassigned (removed, RFC 7644 §3.5.2.2), and so left out. */
  readonly active: boolean | undefined;
  readonly meta: ResourceMetaInput;
  /** Direct group memberships, when the caller knows them. */
  readonly groups?: readonly { readonly value: string; readonly display?: string }[];
}

export interface GroupRenderInput {
  readonly id: string;
  readonly profile: { readonly displayName: string; readonly externalId?: string };
  /** Undefined when members were not loaded (e.g. `excludedAttributes=members`). */
  readonly members: readonly { readonly value: string; readonly display?: string; readonly type?: string }[] | undefined;
  readonly meta: ResourceMetaInput;
}

/** A SCIM resource as JSON. */
export type ScimResource = Record<string, unknown>;

/** `meta.version` of a resource at a stream revision: its weak ETag (RFC 7644 §3.14). */
export const versionTag = (version: number): string => `W/"${version}"`;

const meta = (resourceType: string, input: ResourceMetaInput, location: string) => ({
  resourceType,
  created: input.created,
  lastModified: input.lastModified,
  location,
  version: versionTag(input.version),
});

/**
 * The full SCIM User (RFC 7643 §4.1). Whitelists schema attributes and extension URNs from the
 * profile, so nothing else leaks; `schemas` lists an extension's URN only when the profile has it.
 */
export function renderUser(input: UserRenderInput, baseUrl: string): ScimResource {
  const out = buildUser(input, cloneJson);
  out.meta = userMeta(input.id, input.meta, baseUrl);
  if (input.groups?.length) out.groups = renderUserGroups(input.groups, baseUrl);
  return out;
}

/**
 * A user's attributes without `meta` and `groups`: what depends on its own stream and nothing else,
 * the form a read model stores (see storedUserForms). Values are shared with the profile, not copied:
 * for callers that only serialise it.
 */
export function userResourceWithoutMeta(input: Pick<UserRenderInput, 'id' | 'profile' | 'active'>): ScimResource {
  return buildUser(input, (value) => value);
}

function buildUser(input: Pick<UserRenderInput, 'id' | 'profile' | 'active'>, copy: <T>(value: T) => T): ScimResource {
  const { id, profile, active } = input;
  const schemas: string[] = [ScimUrn.User];
  const out: ScimResource = { schemas, id };
  if (profile.externalId !== undefined) out.externalId = copy(profile.externalId);
  for (const attr of userResourceSchema.schema.attributes) {
    if (attr.name === 'active') {
      if (active !== undefined) out.active = active;
    } else if (attr.name !== 'groups' && attr.returned !== 'never' && profile[attr.name] !== undefined) out[attr.name] = copy(profile[attr.name]);
  }
  for (const extension of userResourceSchema.extensions) {
    const value = profile[extension.schema.id];
    if (value === undefined) continue;
    schemas.push(extension.schema.id);
    out[extension.schema.id] = copy(value);
  }
  // The account's declared extensions: a profile holds only what was validated against them when written.
  // Its own keys in Object.keys order, without the [key, value] pairs of Object.entries (twice per create).
  for (const key in profile) {
    if (!Object.hasOwn(profile, key) || !/^urn:/i.test(key) || userResourceSchema.knowsSchema(key)) continue;
    schemas.push(key);
    out[key] = copy(profile[key]);
  }
  return out;
}

/** A user's `meta` (RFC 7643 §3.1) for a request's base URL. */
export const userMeta = (id: string, input: ResourceMetaInput, baseUrl: string) => meta('User', input, `${baseUrl}/Users/${id}`);

/** A user's `groups` (RFC 7643 §4.1.2): direct memberships, as there are no nested groups. */
export function renderUserGroups(groups: readonly { readonly value: string; readonly display?: string }[], baseUrl: string): ScimResource[] {
  return groups.map((g) => ({
    value: g.value,
    $ref: `${baseUrl}/Groups/${g.value}`,
    ...(g.display !== undefined ? { display: g.display } : {}),
    type: 'direct',
  }));
}

/** The SCIM Group (RFC 7643 §4.2); `members` is omitted when undefined or empty (§2.5). */
export function renderGroup(input: GroupRenderInput, baseUrl: string): ScimResource {
  const { id, profile, members } = input;
  const out: ScimResource = { schemas: [ScimUrn.Group], id };
  if (profile.externalId !== undefined) out.externalId = profile.externalId;
  out.displayName = profile.displayName;
  if (members?.length) {
    out.members = members.map((m) => ({
      value: m.value,
      $ref: `${baseUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`,
      ...(m.display !== undefined ? { display: m.display } : {}),
      ...(m.type !== undefined ? { type: m.type } : {}),
    }));
  }
  out.meta = meta(groupResourceSchema.name, input.meta, `${baseUrl}/Groups/${id}`);
  return out;
}
