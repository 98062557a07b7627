import { generateScimToken, hashSecret, parseScimToken, secretMatches } from './scim-token';

describe('SCIM bearer tokens', () => {
  it('issues a token whose secret matches only its own hash', () => {
    const issued = generateScimToken();
    const parsed = parseScimToken(issued.token);
    expect(parsed?.tokenId).toBe(issued.tokenId);
    expect(secretMatches(parsed!.secret, issued.secretHash)).toBe(true);
    expect(secretMatches(parsed!.secret + 'x', issued.secretHash)).toBe(false);
    expect(secretMatches(parsed!.secret, undefined)).toBe(false);
  });

  it('never stores the secret: the hash does not contain it', () => {
    const issued = generateScimToken();
    const secret = parseScimToken(issued.token)!.secret;
    expect(issued.secretHash).toBe(hashSecret(secret));
    expect(issued.secretHash).not.toContain(secret);
  });

  it('rejects malformed tokens', () => {
    for (const token of ['', 'abc', 'scim..x', 'bearer.a.b', 'scim.a.b.c']) expect(parseScimToken(token)).toBeUndefined();
  });
});
