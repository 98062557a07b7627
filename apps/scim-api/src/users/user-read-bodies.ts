import { jsonStringContent, listResponseFrame, type ListPaging } from '@scim/scim-protocol';
import type { UserJsonCache } from './user-json-cache';
import { selects, userResource, type AttributeSelection, type UserSnapshot } from './user-presenter';

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
