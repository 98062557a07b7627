import { jsonStringContent, listResponseFrame, renderUserGroups, splitAtBaseUrl, type ListPaging } from '@scim/scim-protocol';
import type { UserJson, UserJsonCache } from './user-json-cache';
import { selects, userResource, type AttributeSelection, type UserGroup, type UserSnapshot } from './user-presenter';

/** A user's JSON as the read model stores it (`UserView.scimJson`: the base URL left out), and its groups. */
export interface StoredUserJson {
  readonly storedJson: string;
  readonly groups?: readonly UserGroup[];
}

/** A user to list: its stored JSON, or the facts to serialise it from. */
export type ListedUser = UserSnapshot | StoredUserJson;

/**
 * Bodies of reads, in UTF-8 bytes: a full representation is copied from the read model's stored
 * JSON or from the cache, with the request's base URL put in; a selection (RFC 7644 §3.9) is
 * rendered for the request.
 */
export class UserReadBodies {
  /** The base URL as it appears in JSON: text beside stored text, bytes beside cached bytes. */
  private readonly baseUrlText: string;
  private readonly baseUrlBytes: Buffer;

  constructor(
    private readonly cache: UserJsonCache,
    private readonly baseUrl: string,
    private readonly selection: AttributeSelection,
  ) {
    this.baseUrlText = jsonStringContent(baseUrl);
    this.baseUrlBytes = Buffer.from(this.baseUrlText, 'utf8');
  }

  user(snapshot: UserSnapshot): Buffer {
    return this.write([this.bytesOf(snapshot)]);
  }

  /** A lookup's one user (Okta's `userName eq`) is cached; the users of a longer page are not (see UserJsonCache). */
  list(users: readonly ListedUser[], paging: Omit<ListPaging, 'itemsPerPage'>, others: readonly string[] = []): Buffer {
    const { before, after } = listResponseFrame({ ...paging, itemsPerPage: users.length + others.length });
    const keep = users.length === 1 && others.length === 0;
    // `others`: the JSON of resources of other types after the users (a search at the root, RFC 7644 §3.4.3).
    const resources = [...users.map((user) => this.bytesOf(user, keep)), ...others.map((json) => ({ whole: Buffer.from(json, 'utf8') }))];
    return this.write(resources, before, after);
  }

  private bytesOf(user: ListedUser, keep = true): ResourceBytes {
    if (!selects(this.selection)) {
      const json = 'storedJson' in user ? splitAtBaseUrl(user.storedJson) : this.cache.jsonOf(user, keep);
      // Stored and cached JSON is the user's own; its groups go after `meta`, where renderUser puts them.
      return user.groups?.length ? { ...json, groupsText: `,"groups":${JSON.stringify(renderUserGroups(user.groups, this.baseUrl))}}` } : json;
    }
    if ('storedJson' in user) throw new TypeError('A selection is rendered from the user, not from its stored JSON');
    // Rendered for this request: the base URL is in it already.
    return { whole: Buffer.from(JSON.stringify(userResource(user, this.baseUrl, this.selection)), 'utf8') };
  }

  /**
   * `before`, the resources separated by commas, `after`: one allocation, one copy of each piece.
   * Text next to text is joined first and encoded in one call: a page of stored JSON is one string
   * to measure and write, not three hundred.
   */
  private write(resources: readonly ResourceBytes[], before = '', after = ''): Buffer {
    const pieces: (Buffer | string)[] = [];
    let text = before;
    const endText = () => {
      if (text.length > 0) pieces.push(text);
      text = '';
    };
    resources.forEach((resource, index) => {
      if (index > 0) text += ',';
      if ('whole' in resource) {
        endText();
        pieces.push(resource.whole);
      } else if (typeof resource.beforeBaseUrl === 'string' && typeof resource.afterBaseUrl === 'string') {
        text += resource.beforeBaseUrl + this.baseUrlText + (resource.groupsText === undefined ? resource.afterBaseUrl : resource.afterBaseUrl.slice(0, -1) + resource.groupsText);
      } else {
        endText();
        const { beforeBaseUrl, afterBaseUrl, groupsText } = resource;
        // groupsText replaces the closing brace of the resource.
        pieces.push(beforeBaseUrl, this.baseUrlBytes, groupsText === undefined ? afterBaseUrl : withoutLastByte(afterBaseUrl));
        if (groupsText !== undefined) text += groupsText;
      }
    });
    text += after;
    endText();
    let length = 0;
    for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece, 'utf8') : piece.length;
    const body = Buffer.allocUnsafe(length);
    let at = 0;
    // TypedArray#set copies a whole buffer without allocating (Buffer#copy of a part makes a view).
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        at += body.write(piece, at, 'utf8');
      } else {
        body.set(piece, at);
        at += piece.length;
      }
    }
    return body;
  }
}

/** A resource's JSON: around the request's base URL (bytes from the cache, or text), or `whole` when rendered for the request. */
type ResourceBytes = (UserJson & { readonly groupsText?: string }) | { readonly whole: Buffer };

/** JSON ends with a one-byte `}`. */
const withoutLastByte = (json: Buffer | string): Buffer | string => (typeof json === 'string' ? json.slice(0, -1) : json.subarray(0, json.length - 1));
