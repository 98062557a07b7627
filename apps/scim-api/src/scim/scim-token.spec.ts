import { bearerOf, generateCredential, hashSecret, missingBearerReason, parseCredential, secretMatches } from './scim-token';

describe('bearer credentials', () => {
  it('issues a credential whose secret matches only its own hash', () => {
    const issued = generateCredential('scim');
    const parsed = parseCredential('scim', issued.token);
    expect(parsed?.id).toBe(issued.id);
    expect(secretMatches(parsed!.secret, issued.secretHash)).toBe(true);
    expect(secretMatches(parsed!.secret + 'x', issued.secretHash)).toBe(false);
    expect(secretMatches(parsed!.secret, undefined)).toBe(false);
  });

  it('never stores the secret: the hash does not contain it', () => {
    const issued = generateCredential('admin');
    const secret = parseCredential('admin', issued.token)!.secret;
    expect(issued.secretHash).toBe(hashSecret(secret));
    expect(issued.secretHash).not.toContain(secret);
  });

  it('hashes with SHA-256 in hex, as the stored hashes were made', () => {
    // FIPS 180-2 test vector.
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(secretMatches('abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')).toBe(true);
    expect(secretMatches('abd', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')).toBe(false);
  });

  it('rejects malformed credentials and credentials of another kind', () => {
    for (const token of ['', 'abc', 'scim..x', 'bearer.a.b', 'scim.a.b.c']) expect(parseCredential('scim', token)).toBeUndefined();
    expect(parseCredential('scim', generateCredential('admin').token)).toBeUndefined();
  });

  it('reads the bearer credential of an Authorization header', () => {
    expect(bearerOf('Bearer abc')).toBe('abc');
    expect(bearerOf('bearer  abc ')).toBe('abc');
    expect(bearerOf('Basic abc')).toBeUndefined();
    expect(bearerOf(undefined)).toBeUndefined();
  });

  it('says what is wrong with an Authorization header that carries no usable bearer credential', () => {
    expect(bearerOf('Bearer Bearer scim.a.b')).toBeUndefined();
    expect(missingBearerReason('Bearer Bearer scim.a.b')).toMatch(/says "Bearer" twice/);
    expect(missingBearerReason('bearer   BEARER scim.a.b')).toMatch(/says "Bearer" twice/);
    expect(missingBearerReason(undefined)).toMatch(/^Missing bearer token/);
    expect(missingBearerReason('  ')).toMatch(/^Missing bearer token/);
    expect(missingBearerReason('Basic abc')).toMatch(/must be "Bearer <token>"/);
  });
});
