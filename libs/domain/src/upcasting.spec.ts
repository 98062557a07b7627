import { currentSchemaVersion, upcastEvent, type UpcasterRegistry } from './upcasting';

describe('upcasting', () => {
  // A hypothetical evolution: v1 had `name`, v2 split it, v3 added a default flag.
  const registry: UpcasterRegistry = {
    AccountCreated: {
      1: ({ name, ...rest }) => ({ ...rest, displayName: name, legalName: name }),
      2: (data) => ({ ...data, verified: false }),
    },
  };

  it('lifts a v1 event through every step to the newest shape', () => {
    const event = upcastEvent({ type: 'AccountCreated', data: { accountId: 'a', name: 'Acme' }, schemaVersion: 1 }, registry);
    expect(event).toEqual({
      type: 'AccountCreated',
      data: { accountId: 'a', displayName: 'Acme', legalName: 'Acme', verified: false },
    });
  });

  it('applies only the missing steps to a v2 event', () => {
    const event = upcastEvent({ type: 'AccountCreated', data: { displayName: 'A', legalName: 'A' }, schemaVersion: 2 }, registry);
    expect(event.data).toEqual({ displayName: 'A', legalName: 'A', verified: false });
  });

  it('treats a missing version as 1 and leaves unregistered types untouched', () => {
    expect(upcastEvent({ type: 'AccountCreated', data: { name: 'X' } }, registry).data).toEqual({
      displayName: 'X',
      legalName: 'X',
      verified: false,
    });
    expect(upcastEvent({ type: 'UserDeactivated', data: { userId: 'u' } }, registry).data).toEqual({ userId: 'u' });
  });

  it('reports the version new events are written with', () => {
    expect(currentSchemaVersion('AccountCreated', registry)).toBe(3);
    expect(currentSchemaVersion('UserProvisioned', registry)).toBe(1);
  });

  it('knows no upcaster for a type named after an Object.prototype key', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(currentSchemaVersion(type, registry)).toBe(1);
      expect(upcastEvent({ type, data: { a: 1 }, schemaVersion: 1 }, registry).data).toEqual({ a: 1 });
    }
  });
});
