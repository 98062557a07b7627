import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens look like `scim.<tokenId>.<secret>`: the id finds the record without a lookup
 * by secret, and only SHA-256 of the 256-bit secret is stored (a high-entropy secret needs no
 * slow hash). The prefix makes leaked tokens easy for secret scanners to spot.
 */
const PREFIX = 'scim';

export interface IssuedSecret {
  readonly tokenId: string;
  readonly token: string;
  readonly secretHash: string;
}

export function generateScimToken(): IssuedSecret {
  const tokenId = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: `${PREFIX}.${tokenId}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseScimToken(token: string): { tokenId: string; secret: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return undefined;
  return { tokenId: parts[1], secret: parts[2] };
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Compares in constant time; also when the stored hash is missing, so timing tells nothing. */
export function secretMatches(secret: string, storedHash: string | undefined): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash ?? '', 'hex');
  const comparable = stored.length === presented.length ? stored : Buffer.alloc(presented.length);
  return timingSafeEqual(presented, comparable) && stored.length === presented.length;
}
