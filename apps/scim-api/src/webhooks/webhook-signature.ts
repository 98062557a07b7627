import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): a secret is `whsec_` + base64 of its
 * bytes; a message is signed as `v1,` + base64(HMAC-SHA256(bytes, "<id>.<timestamp>.<body>")).
 */
const SECRET_PREFIX = 'whsec_';

/**
 * The endpoint's signing secret at `secretVersion`, derived from the platform's webhook key: the
 * secret itself is never stored, and a rotation (a new version) makes the old one useless.
 */
export function endpointSecret(platformKey: string, endpointId: string, secretVersion: number): string {
  const bytes = createHmac('sha256', platformKey).update(`webhook-secret:${endpointId}:${secretVersion}`).digest();
  return `${SECRET_PREFIX}${bytes.toString('base64')}`;
}

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** The three headers of a delivery; `timestamp` in seconds since the epoch (the spec's unit). */
export function signedHeaders(secret: string, messageId: string, timestamp: number, body: string): SignedHeaders {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const signature = createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}
