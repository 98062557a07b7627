import type { Response } from 'express';
import { SCIM_CONTENT_TYPE } from './scim-http';

/** Sends a SCIM JSON body with its content type and headers. */
export function sendScim(response: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * Sends a JSON body already encoded in UTF-8. As bytes, Express also skips re-writing the
 * content type to add the charset it already names.
 */
export function sendScimBytes(response: Response, status: number, json: Buffer, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).type(SCIM_CONTENT_TYPE).send(json);
}
