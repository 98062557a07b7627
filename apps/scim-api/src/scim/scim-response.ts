import type { Response } from 'express';
import { SCIM_CONTENT_TYPE } from './scim-http';

/** Sends a SCIM JSON body with its content type and headers. */
export function sendScim(response: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendScimJson(response, status, JSON.stringify(body), headers);
}

/**
 * Sends a body already serialised to JSON. As bytes: Express would otherwise parse and rewrite
 * the content type to add the charset it already names, then encode the text anyway.
 */
export function sendScimJson(response: Response, status: number, json: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).type(SCIM_CONTENT_TYPE).send(Buffer.from(json, 'utf8'));
}
