import { searchMirror } from '../filter/search-mirror';
import { userResourceSchema } from '../schema/resource-schema';
import { renderUserShared, versionTag, type UserRenderInput } from './render';

/**
 * A resource's JSON text with the base URL left out: `meta.location` is the only place a user
 * without `groups` names it, and the base URL depends on the request (Host, PUBLIC_URL), while
 * the rest depends only on the resource's revision. So the text can be kept per revision and
 * completed for each request with `jsonStringContent(baseUrl)`.
 */
export interface SerialisedResource {
  /** Everything up to and including the opening quote of `meta.location`. */
  readonly beforeBaseUrl: string;
  /** The rest: the location's path (`/Users/<id>`), `meta.version` and the closing braces. */
  readonly afterBaseUrl: string;
}

const LOCATION_KEY = '"location":"';

/**
 * The JSON text of `renderUser(input, '')`: a user's representation with the base URL left out,
 * the same for every request. Read models keep it, so that a page is assembled from stored text;
 * `splitAtBaseUrl` shows where each request's base URL goes. Groups are not accepted: their
 * `$ref`s would hold the base URL too.
 */
export function userJsonWithoutBaseUrl(input: Omit<UserRenderInput, 'groups'>): string {
  return JSON.stringify(renderUserShared(input, ''));
}

/** What a read model keeps of a user at one revision: its search mirror and its `userJsonWithoutBaseUrl` text. */
export interface UserReadModelForms {
  readonly search: Readonly<Record<string, unknown>>;
  readonly json: string;
}

/** A user's read-model forms from one rendering (a projection rebuilding 500,000 users renders each once, not twice). */
export function userReadModelForms(input: Omit<UserRenderInput, 'groups'>): UserReadModelForms {
  const resource = renderUserShared(input, '');
  return { search: searchMirror(resource, userResourceSchema), json: JSON.stringify(resource) };
}

/**
 * `userReadModelForms` at `version`, from the forms of an earlier revision whose input differed in
 * nothing but `meta.version` (a role granted changes no SCIM attribute): the same text and mirror,
 * the version replaced, without rendering the user again. Undefined when `forms` do not hold
 * `fromVersion`'s tag where a rendering puts it (forms of another rendering): render the user instead.
 */
export function userReadModelFormsAtVersion(forms: UserReadModelForms, fromVersion: number, version: number): UserReadModelForms | undefined {
  // `meta` is rendered last and `version` last in it: the text ends with `"version":"W/\"n\""}}`.
  const oldTail = `"version":${JSON.stringify(versionTag(fromVersion))}}}`;
  const meta = forms.search.meta as Readonly<Record<string, unknown>> | undefined;
  // The mirror keeps the tag as it is (`version` is caseExact): then it keeps the new one so too.
  if (!forms.json.endsWith(oldTail) || meta?.version !== versionTag(fromVersion)) return undefined;
  const json = `${forms.json.slice(0, forms.json.length - oldTail.length)}"version":${JSON.stringify(versionTag(version))}}}`;
  // Spread keeps each key in its place: the mirror's JSON is the full rendering's.
  return { search: { ...forms.search, meta: { ...meta, version: versionTag(version) } }, json };
}

/** The JSON of `renderUser(input, baseUrl)`, serialised once for any base URL. */
export function serialiseUser(input: Omit<UserRenderInput, 'groups'>): SerialisedResource {
  return splitAtBaseUrl(userJsonWithoutBaseUrl(input));
}

/** A `userJsonWithoutBaseUrl` text, cut where the base URL goes. */
export function splitAtBaseUrl(json: string): SerialisedResource {
  // `meta` is rendered last, so the last `"location":"` is its key: in a string value, the
  // quotes would be escaped.
  const at = json.lastIndexOf(LOCATION_KEY) + LOCATION_KEY.length;
  return { beforeBaseUrl: json.slice(0, at), afterBaseUrl: json.slice(at) };
}

/**
 * `value` as it appears between the quotes of a JSON string. JSON escapes a string character by
 * character, so `beforeBaseUrl + jsonStringContent(baseUrl) + afterBaseUrl` is the JSON of the
 * resource rendered for `baseUrl`.
 */
export const jsonStringContent = (value: string): string => JSON.stringify(value).slice(1, -1);
