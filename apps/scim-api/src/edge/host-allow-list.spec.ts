import { hostAllowed } from './host-allow-list';

describe('hostAllowed', () => {
  it('allows only the loopback names on the local port by default', () => {
    expect(hostAllowed('localhost:8080', undefined, 8080)).toBe(true);
    expect(hostAllowed('127.0.0.1:8080', undefined, 8080)).toBe(true);
    expect(hostAllowed('[::1]:8080', undefined, 8080)).toBe(true);
    expect(hostAllowed('LocalHost:8080', undefined, 8080)).toBe(true);
    expect(hostAllowed('localhost:9999', undefined, 8080)).toBe(false);
    expect(hostAllowed('evil.example', undefined, 8080)).toBe(false);
    expect(hostAllowed('evil.example:8080', undefined, 8080)).toBe(false);
  });

  it('allows a listed name on any port, a listed name:port on that port only', () => {
    const allowed = ['scim.example.com', 'internal.example:8443'];
    expect(hostAllowed('scim.example.com', allowed, 8080)).toBe(true);
    expect(hostAllowed('scim.example.com:443', allowed, 8080)).toBe(true);
    expect(hostAllowed('internal.example:8443', allowed, 8080)).toBe(true);
    expect(hostAllowed('internal.example', allowed, 8080)).toBe(false);
    expect(hostAllowed('localhost:8080', allowed, 8080)).toBe(false);
    expect(hostAllowed('scim.example.com.evil.example', allowed, 8080)).toBe(false);
  });
});
