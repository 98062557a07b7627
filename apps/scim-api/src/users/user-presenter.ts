import { activeOf, type ExistingUser, type UserProfile } from '@scim/domain';
import type { UserPageView } from '@scim/read-models/projections';
import { parseAttributeList, renderUser, selectAttributes, userJson, userResourceSchema, userResourceWithoutMeta, type ResourceSchema } from '@scim/scim-protocol';
import type { Response } from 'express';
import { type WrittenUser } from '@scim/provisioning';
import { etagOf } from '../scim/scim-http';
import { sendScimJson } from '../scim/scim-response';

/** The facts a SCIM user representation is made of, from the write side or a read model. */
export interface UserSnapshot {
  readonly id: string;
  readonly profile: UserProfile;
  /** Undefined: unassigned (RFC 7644 §3.5.2.2), not shown. */
  readonly active: boolean | undefined;
  readonly created: string;
  readonly lastModified: string;
  readonly version: number;
  /** The user's SCIM groups, when they were read (not part of the user's stream nor its version). */
  readonly groups?: readonly UserGroup[];
}

/** A group in a user's `groups` (RFC 7643 §4.1.2). */
export interface UserGroup {
  readonly value: string;
  readonly display: string;
}

export interface AttributeSelection {
  readonly attributes?: string;
  readonly excludedAttributes?: string;
  /** The account's User schema, so that attributes of its declared extensions can be selected. */
  readonly schema?: ResourceSchema;
}

/** `selection` with the account's User schema when it selects attributes; else as it is, and nothing read. */
export async function withAccountSchema<T extends AttributeSelection>(selection: T, schemaOf: () => Promise<{ readonly user: ResourceSchema }>): Promise<T> {
  return selects(selection) ? { ...selection, schema: (await schemaOf()).user } : selection;
}

export const snapshotOfWritten = ({ user, revision }: WrittenUser): UserSnapshot => snapshotOfState(user, revision);

export const snapshotOfState = (user: ExistingUser, revision: number): UserSnapshot => ({
  id: user.userId,
  profile: user.profile,
  active: activeOf(user) ?? undefined,
  created: user.createdAt,
  lastModified: user.updatedAt,
  version: revision,
});

/** Whether the request asks for some attributes only (RFC 7644 §3.9). */
export const selects = (selection: AttributeSelection): boolean => Boolean(selection.attributes || selection.excludedAttributes);

/** Whether a response will show `groups`: they are read only then. */
export function groupsWanted(selection: AttributeSelection): boolean {
  const listed = (text?: string) => (text ? parseAttributeList(text).map((a) => a.toLowerCase()) : undefined);
  const isWhole = (a: string) => a === 'groups' || a.endsWith(':user:groups');
  const isGroups = (a: string) => isWhole(a) || a.startsWith('groups.') || a.includes(':user:groups.');
  const only = listed(selection.attributes);
  return !(listed(selection.excludedAttributes) ?? []).some(isWhole) && (!only || only.some(isGroups));
}

export function userResource(snapshot: UserSnapshot, baseUrl: string, selection: AttributeSelection = {}): Record<string, unknown> {
  const { id, profile, active, created, lastModified, version, groups } = snapshot;
  return selected(renderUser({ id, profile, active, meta: { created, lastModified, version }, groups }, baseUrl), selection);
}

/**
 * A read's user JSON for this request: the read model's stored resource with `meta` (and `groups`)
 * added; a selection (RFC 7644 §3.9) is applied to it parsed.
 */
export function storedUserJson(view: UserPageView, baseUrl: string, selection: AttributeSelection, groups?: readonly UserGroup[]): string {
  const { _id, resourceJson, created, lastModified, version } = view;
  const json = userJson(resourceJson, _id, { created, lastModified, version }, baseUrl, groups);
  return selects(selection) ? JSON.stringify(selected(JSON.parse(json) as Record<string, unknown>, selection)) : json;
}

function selected(resource: Record<string, unknown>, selection: AttributeSelection): Record<string, unknown> {
  if (!selects(selection)) return resource;
  return selectAttributes(resource, selection.schema ?? userResourceSchema, {
    attributes: selection.attributes ? parseAttributeList(selection.attributes) : undefined,
    excludedAttributes: selection.excludedAttributes ? parseAttributeList(selection.excludedAttributes) : undefined,
  });
}

/** Headers of a single-resource response (RFC 7644 §3.1, §3.14). */
export const userHeaders = (snapshot: Pick<UserSnapshot, 'id' | 'version'>, baseUrl: string) => ({
  ETag: etagOf(snapshot.version),
  Location: `${baseUrl}/Users/${snapshot.id}`,
});

/** A single-user response: the resource (with attribute selection) and its ETag and Location. */
export function sendUser(response: Response, status: number, snapshot: UserSnapshot, baseUrl: string, selection: AttributeSelection = {}): void {
  const json = selects(selection) ? JSON.stringify(userResource(snapshot, baseUrl, selection)) : wholeUserJson(snapshot, baseUrl);
  sendScimJson(response, status, json, userHeaders(snapshot, baseUrl));
}

/**
 * `JSON.stringify(userResource(snapshot, baseUrl))` without its deep copy of the profile: the
 * resource is only serialised here (a create's answer), so it may share the profile's values.
 */
function wholeUserJson(snapshot: UserSnapshot, baseUrl: string): string {
  const { id, version, created, lastModified } = snapshot;
  return userJson(JSON.stringify(userResourceWithoutMeta(snapshot)), id, { created, lastModified, version }, baseUrl, snapshot.groups);
}
