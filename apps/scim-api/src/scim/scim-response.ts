import type { Response } from 'express';
import { SCIM_CONTENT_TYPE } from './scim-http';

/** Sends a SCIM JSON body with its content type and headers. */
export function sendScim(response: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  writeScim(response, status, Buffer.from(JSON.stringify(body)), headers);
}

/** Sends a JSON body already encoded in UTF-8. */
export function sendScimBytes(response: Response, status: number, json: Buffer, headers: Record<string, string> = {}): void {
  writeScim(response, status, json, headers);
}

/**
 * Written on Node's response directly: Express's `send` would re-parse the content type for its
 * charset and test freshness on every answer, and SCIM routes answer If-None-Match themselves
 * (RFC 7644 §3.14). Node leaves the body out of a HEAD answer.
 */
function writeScim(response: Response, status: number, json: Buffer, headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) response.setHeader(name, headers[name]);
  response.statusCode = status;
  response.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  response.setHeader('Content-Length', json.length);
  response.end(json);
}
