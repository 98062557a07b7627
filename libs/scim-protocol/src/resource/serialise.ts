import { searchMirror } from '../filter/search-mirror';
import { userResourceSchema } from '../schema/resource-schema';
import { renderUserGroups, userMeta, userResourceWithoutMeta, versionTag, type ResourceMetaInput, type UserRenderInput } from './render';

/**
 * What a read model keeps of a user: its resource without `meta` as JSON text (the same for every
 * request and every revision that changed no attribute), and the search mirror filters run against.
 */
export interface StoredUserForms {
  readonly resourceJson: string;
  readonly search: Readonly<Record<string, unknown>>;
}

/** A user's stored forms from one rendering (a rebuild of 500,000 users renders each once). */
export function storedUserForms(input: Omit<UserRenderInput, 'groups'>): StoredUserForms {
  const resource = userResourceWithoutMeta(input);
  // `meta.location` holds a request's base URL: not searchable.
  const { resourceType, created, lastModified, version } = userMeta(input.id, input.meta, '');
  return { resourceJson: JSON.stringify(resource), search: searchMirror({ ...resource, meta: { resourceType, created, lastModified, version } }, userResourceSchema) };
}

/** The search mirror of a revision that changed no attribute (a role granted): only `meta.version` differs. */
export function searchAtVersion(search: Readonly<Record<string, unknown>>, version: number): Readonly<Record<string, unknown>> {
  return { ...search, meta: { ...(search.meta as object), version: versionTag(version) } };
}

/**
 * `JSON.stringify(renderUser(…, baseUrl))` from a stored `resourceJson`: the request's `meta` and
 * the user's `groups` are added as the resource's last members, where `renderUser` puts them, so
 * that a page of users parses none of its stored JSON.
 */
export function userJson(
  resourceJson: string,
  id: string,
  meta: ResourceMetaInput,
  baseUrl: string,
  groups?: readonly { readonly value: string; readonly display?: string }[],
): string {
  const groupsJson = groups?.length ? `,"groups":${JSON.stringify(renderUserGroups(groups, baseUrl))}` : '';
  // A stored resource is a JSON object: it ends with its closing brace.
  return `${resourceJson.slice(0, -1)},"meta":${JSON.stringify(userMeta(id, meta, baseUrl))}${groupsJson}}`;
}
