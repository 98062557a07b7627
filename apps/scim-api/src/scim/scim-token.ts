import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Bearer credentials look like `<prefix>.<id>.<secret>`: the id finds the record without a
 * lookup by secret, and only SHA-256 of the 256-bit secret is stored (a high-entropy secret
 * needs no slow hash). The prefix (`scim`, `admin`, `events`) makes leaked ones easy for scanners to spot.
 */
export type CredentialPrefix = 'scim' | 'admin' | 'events';

export interface IssuedSecret {
  readonly id: string;
  readonly token: string;
  readonly secretHash: string;
}

export function generateCredential(prefix: CredentialPrefix): IssuedSecret {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefix}.${id}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseCredential(prefix: CredentialPrefix, token: string): { id: string; secret: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== prefix || !parts[1] || !parts[2]) return undefined;
  return { id: parts[1], secret: parts[2] };
}

// One-shot hashing: every authenticated request hashes the secret it presents.
export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');

/** Compares in constant time; also when the stored hash is missing, so timing tells nothing. */
export function secretMatches(secret: string, storedHash: string | undefined): boolean {
  const presented = hash('sha256', secret, 'buffer');
  const stored = Buffer.from(storedHash ?? '', 'hex');
  const comparable = stored.length === presented.length ? stored : Buffer.alloc(presented.length);
  return timingSafeEqual(presented, comparable) && stored.length === presented.length;
}

/** The bearer credential of a request, if any. */
export const bearerOf = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
