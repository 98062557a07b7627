import type { ExistingUser, UserProfile } from '@scim/domain';
import type { UserView } from '@scim/read-models/projections';
import { jsonStringContent, listResponseFrame, parseAttributeList, renderUser, selectAttributes, userResourceSchema, type ListPaging } from '@scim/scim-protocol';
import type { Response } from 'express';
import { etagOf } from '../scim/scim-http';
import { sendScim } from '../scim/scim-response';
import type { UserJsonCache } from './user-json-cache';
import type { WrittenUser } from './user-write-model';

/** The facts a SCIM user representation is made of, from the write side or a read model. */
export interface UserSnapshot {
  readonly id: string;
  readonly profile: UserProfile;
  readonly active: boolean;
  readonly created: string;
  readonly lastModified: string;
  readonly version: number;
}

export interface AttributeSelection {
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

export const snapshotOfWritten = ({ user, revision }: WrittenUser): UserSnapshot => snapshotOfState(user, revision);

export const snapshotOfState = (user: ExistingUser, revision: number): UserSnapshot => ({
  id: user.userId,
  profile: user.profile,
  active: user.status === 'active',
  created: user.createdAt,
  lastModified: user.updatedAt,
  version: revision,
});

export const snapshotOfView = (view: UserView): UserSnapshot => ({
  id: view._id,
  profile: view.profile,
  active: view.active,
  created: view.created,
  lastModified: view.lastModified,
  version: view.version,
});

const selects = (selection: AttributeSelection): boolean => Boolean(selection.attributes || selection.excludedAttributes);

export function userResource(snapshot: UserSnapshot, baseUrl: string, selection: AttributeSelection = {}): Record<string, unknown> {
  const { id, profile, active, created, lastModified, version } = snapshot;
  const resource = renderUser({ id, profile, active, meta: { created, lastModified, version } }, baseUrl);
  if (!selects(selection)) return resource;
  return selectAttributes(resource, userResourceSchema, {
    attributes: selection.attributes ? parseAttributeList(selection.attributes) : undefined,
    excludedAttributes: selection.excludedAttributes ? parseAttributeList(selection.excludedAttributes) : undefined,
  });
}

/**
 * Bodies of reads, in UTF-8 bytes: a full representation is copied from the cache, with the
 * request's base URL put in; a selection (RFC 7644 §3.9) is rendered for the request.
 */
export class UserReadBodies {
  private readonly baseUrlBytes: Buffer;

  constructor(
    private readonly cache: UserJsonCache,
    private readonly baseUrl: string,
    private readonly selection: AttributeSelection,
  ) {
    this.baseUrlBytes = Buffer.from(jsonStringContent(baseUrl), 'utf8');
  }

  user(snapshot: UserSnapshot): Buffer {
    return this.write([this.bytesOf(snapshot)]);
  }

  list(snapshots: readonly UserSnapshot[], paging: Omit<ListPaging, 'itemsPerPage'>): Buffer {
    const { before, after } = listResponseFrame({ ...paging, itemsPerPage: snapshots.length });
    return this.write(snapshots.map((snapshot) => this.bytesOf(snapshot)), Buffer.from(before, 'utf8'), Buffer.from(after, 'utf8'));
  }

  private bytesOf(snapshot: UserSnapshot): ResourceBytes {
    if (!selects(this.selection)) return this.cache.bytesOf(snapshot);
    // Rendered for this request: the base URL is in it already.
    return { json: Buffer.from(JSON.stringify(userResource(snapshot, this.baseUrl, this.selection)), 'utf8') };
  }

  /** `before`, the resources separated by commas, `after`: one allocation, one copy of each piece. */
  private write(resources: readonly ResourceBytes[], before = EMPTY, after = EMPTY): Buffer {
    const baseUrl = this.baseUrlBytes;
    let length = before.length + after.length + Math.max(0, resources.length - 1);
    for (const { json, baseUrlAt } of resources) length += json.length + (baseUrlAt === undefined ? 0 : baseUrl.length);
    const body = Buffer.allocUnsafe(length);
    let at = before.copy(body, 0);
    resources.forEach(({ json, baseUrlAt }, index) => {
      if (index > 0) body[at++] = COMMA;
      if (baseUrlAt === undefined) {
        at += json.copy(body, at);
      } else {
        at += json.copy(body, at, 0, baseUrlAt);
        at += baseUrl.copy(body, at);
        at += json.copy(body, at, baseUrlAt);
      }
    });
    after.copy(body, at);
    return body;
  }
}

/** A resource's JSON; `baseUrlAt`: where the request's base URL goes, if it is not in yet. */
interface ResourceBytes {
  readonly json: Buffer;
  readonly baseUrlAt?: number;
}

const EMPTY = Buffer.alloc(0);
const COMMA = 0x2c;

/** Headers of a single-resource response (RFC 7644 §3.1, §3.14). */
export const userHeaders = (snapshot: UserSnapshot, baseUrl: string) => ({
  ETag: etagOf(snapshot.version),
  Location: `${baseUrl}/Users/${snapshot.id}`,
});

/** A single-user response: the resource (with attribute selection) and its ETag and Location. */
export function sendUser(response: Response, status: number, snapshot: UserSnapshot, baseUrl: string, selection: AttributeSelection = {}): void {
  sendScim(response, status, userResource(snapshot, baseUrl, selection), userHeaders(snapshot, baseUrl));
}
