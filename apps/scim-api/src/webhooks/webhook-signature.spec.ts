import { Webhook } from 'standardwebhooks';
import { endpointSecret, signedHeaders } from './webhook-signature';

const platformKey = 'a-platform-key-of-at-least-32-characters';

describe('Standard Webhooks signatures', () => {
  it('derives a whsec_ secret per endpoint and version, never the same twice', () => {
    const secret = endpointSecret(platformKey, 'w1', 1);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpointSecret(platformKey, 'w1', 1)).toBe(secret);
    expect(new Set([secret, endpointSecret(platformKey, 'w1', 2), endpointSecret(platformKey, 'w2', 1), endpointSecret(`${platformKey}!`, 'w1', 1)]).size).toBe(4);
  });

  it('signs so that the published library verifies, and refuses a changed body or another secret', () => {
    const secret = endpointSecret(platformKey, 'w1', 1);
    const body = JSON.stringify({ id: 'evt_1', type: 'user.created' });
    const headers = { ...signedHeaders(secret, 'evt_1', Math.floor(Date.now() / 1000), body) };
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'evt_1', type: 'user.created' });
    expect(() => new Webhook(secret).verify(body.replace('created', 'deleted'), headers)).toThrow();
    expect(() => new Webhook(endpointSecret(platformKey, 'w1', 2)).verify(body, headers)).toThrow();
  });
});
