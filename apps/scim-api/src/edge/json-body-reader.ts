import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import getRawBody from 'raw-body';
import { ScimError } from '@scim/scim-protocol';
import { APP_CONFIG, type AppConfig, type BodyLimits } from '../config/app-config';
import type { BodySize } from './edge-routes';
import { parseJsonBody } from './json-body';

/** RFC 7644 §3.1 names application/scim+json; Okta may send application/json. Both are JSON. */
const JSON_TYPES = ['application/json', 'application/scim+json', 'application/*+json'];

const LIMIT_VARIABLES: Readonly<Record<BodySize, string>> = {
  user: 'BODY_LIMIT_USER_BYTES',
  group: 'BODY_LIMIT_GROUP_BYTES',
  small: 'BODY_LIMIT_SMALL_BYTES',
  bulk: 'maxPayloadSize in /ServiceProviderConfig',
};

/** Whether the request carries a body at all, decided as type-is (and so `request.is`) decides it. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(headers['content-length']));
}

/**
 * Reads a JSON request body once its sender is authenticated and admitted: identity encoding only
 * (a compressed body could inflate past any limit), UTF-8 only, at most the route's limit of bytes
 * (a declared Content-Length over it is refused before a byte is read), nesting bounded. A client
 * that sent `Expect: 100-continue` is told to send its body only now (RFC 9110 §10.1.1).
 */
@Injectable()
export class JsonBodyReader {
  private readonly limits: BodyLimits;
  private readonly maxDepth: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limits = config.edge.bodyLimits;
    this.maxDepth = config.edge.maxJsonDepth;
  }

  /** The parsed body; undefined when the request has none or it is not JSON (as Express's parser left it). */
  async read(request: Request, response: Response, size: BodySize): Promise<unknown> {
    if (!isJson(request)) return undefined;
    const encoding = request.headers['content-encoding']?.trim().toLowerCase() ?? 'identity';
    if (encoding !== 'identity') {
      throw new ScimError(415, `Content-Encoding "${encoding}" is not accepted: send the body uncompressed`);
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ScimError(415, `Charset "${charset}" is not accepted: JSON bodies are UTF-8 (RFC 8259 §8.1)`);
    }
    const limit = this.limits[size];
    if (Number(request.headers['content-length']) > limit) throw tooLarge(limit, size);
    if (request.headers.expect?.toLowerCase() === '100-continue') response.writeContinue();
    let bytes: Buffer;
    try {
      bytes = await getRawBody(request, { length: request.headers['content-length'], limit });
    } catch (error) {
      if ((error as { type?: unknown }).type !== 'entity.too.large') throw error;
      throw tooLarge(limit, size);
    }
    return parseJsonBody(bytes, this.maxDepth);
  }
}

/** The two types IdPs send, as they send them, need no parse of the header (type-is decides the rest). */
function isJson(request: Request): boolean {
  const type = request.headers['content-type'];
  return type === 'application/scim+json' || type === 'application/json' || Boolean(request.is(JSON_TYPES));
}

const tooLarge = (limit: number, size: BodySize) => new ScimError(413, `Request body is larger than ${limit} bytes, the limit for this route (${LIMIT_VARIABLES[size]})`);
