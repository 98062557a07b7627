import type { Response } from 'express';
import { SCIM_CONTENT_TYPE } from './scim-http';

/** Sends a SCIM JSON body with its content type and headers. */
export function sendScim(response: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendScimJson(response, status, JSON.stringify(body), headers);
}

/**
 * Sends a JSON body already serialised, as text or encoded in UTF-8. Written on Node's response
 * directly: Express's `send` would re-parse the content type for its charset and test freshness on
 * every answer, and SCIM routes answer If-None-Match themselves (RFC 7644 §3.14). Node leaves the
 * body out of a HEAD answer. A body given as text goes out in one write with the head (Node joins
 * them), where bytes cost a copy and a two-chunk writev.
 */
export function sendScimJson(response: Response, status: number, json: string | Buffer, headers: Record<string, string> = {}): void {
  for (const name of Object.keys(headers)) response.setHeader(name, headers[name]);
  response.statusCode = status;
  response.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  response.setHeader('Content-Length', typeof json === 'string' ? Buffer.byteLength(json) : json.length);
  response.end(json);
}
