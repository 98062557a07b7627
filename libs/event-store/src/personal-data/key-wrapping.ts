import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/** AES-256-GCM (NIST SP 800-38D): 96-bit random IVs, 128-bit tags. */
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** `iv ‖ ciphertext ‖ tag` of `plain` under `key`, bound to `associated` (GCM additional data). */
export function encrypt(key: Buffer, plain: Buffer, associated: string): Buffer {
  // Written in place: GCM's ciphertext is as long as the plaintext, and final() adds nothing.
  const sealed = Buffer.allocUnsafe(IV_BYTES + plain.length + TAG_BYTES);
  const iv = randomBytesInto(sealed.subarray(0, IV_BYTES));
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  cipher.update(plain).copy(sealed, IV_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(sealed, IV_BYTES + plain.length);
  return sealed;
}

/** The plaintext of `encrypt`'s output; throws when the key, the bytes or `associated` differ. */
export function decrypt(key: Buffer, sealed: Buffer, associated: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('Sealed value is too short');
  const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
  // Checks the tag (throws when it differs); GCM has no output left for it to give.
  decipher.final();
  return plain;
}

export function newKey(): Buffer {
  return randomBytesInto(Buffer.allocUnsafe(KEY_BYTES));
}

// The CSPRNG asked for 4 KiB at a time rather than for each IV and key (one call costs a few µs,
// measured on the create's path); each byte is handed out once, copied out of the shared buffer.
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** `target` filled with random bytes from the pool; returns it. */
function randomBytesInto(target: Buffer): Buffer {
  const size = target.length;
  if (randomOffset + size > randomPool.length) {
    randomPool = randomFillSync(Buffer.allocUnsafeSlow(RANDOM_POOL_BYTES));
    randomOffset = 0;
  }
  randomPool.copy(target, 0, randomOffset, randomOffset + size);
  randomPool.fill(0, randomOffset, randomOffset + size);
  randomOffset += size;
  return target;
}

// What each wrapped key is bound to (GCM additional data), the same in every key store adapter: a
// wrapped key moved to another account or subject does not unwrap.
export const accountKeyBinding = (accountId: string): string => JSON.stringify(['account-key', accountId]);
export const dataKeyBinding = (keyId: string, subjectId: string, accountId: string): string => JSON.stringify(['data-key', keyId, subjectId, accountId]);
/** A key made ahead in a pool knows no subject yet: its binding to one is the events that name it. */
export const pooledKeyBinding = (keyId: string, accountId: string): string => JSON.stringify(['pooled-data-key', keyId, accountId]);
