import { canonicalJson } from './canonical-json';
import { eventHash, GENESIS_HASH } from './event-hash';

describe('canonicalJson (RFC 8785)', () => {
  test('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  test('sorts keys by UTF-16 code units (the RFC 8785 §3.2.3 example)', () => {
    const input = { '\u20ac': 'Euro', '\r': 'CR', '\ufb33': 'Dalet', '1': 'One', '\ud83d\ude00': 'Emoji', '\u0080': 'Control', '\u00f6': 'o' };

    const text = canonicalJson(input);

    // Read the order from the text: JSON.parse would put the integer-like key "1" first.
    const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => JSON.parse(`"${match[1]}"`) as string);
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  test('sorts integer-like keys as strings too, at any depth', () => {
    expect(canonicalJson({ b: [{ '10': 'ten', '9': 'nine', x: 1 }], a: 0 })).toBe('{"a":0,"b":[{"10":"ten","9":"nine","x":1}]}');
  });

  test('hashes a "__proto__" member like any other (JSON.parse gives it as an own key; it must not vanish)', () => {
    const data = JSON.parse('{"b":1,"__proto__":{"role":"admin"},"nested":[{"__proto__":2,"constructor":3}]}') as unknown;
    expect(canonicalJson(data)).toBe('{"__proto__":{"role":"admin"},"b":1,"nested":[{"__proto__":2,"constructor":3}]}');
    const tampered = JSON.parse('{"b":1,"__proto__":{"role":"root"},"nested":[{"__proto__":2,"constructor":3}]}') as unknown;
    expect(canonicalJson(tampered)).not.toBe(canonicalJson(data));
  });

  test('serializes strings and numbers exactly as JSON.stringify does', () => {
    expect(canonicalJson(['Zoë 王 🦄', 'quote " backslash \\ newline \n tab \t', '\u0007', 1e21, 0.1 + 0.2, -0, 1.5e-7, 4.5])).toBe(
      '["Zoë 王 🦄","quote \\" backslash \\\\ newline \\n tab \\t","\\u0007",1e+21,0.30000000000000004,0,1.5e-7,4.5]',
    );
  });

  test('reads values as JSON.stringify does: toJSON, undefined members dropped, non-finite numbers null', () => {
    const at = new Date('2025-01-02T03:04:05.006Z');
    expect(canonicalJson({ at, gone: undefined, fn: () => 1, list: [undefined, NaN, Infinity] })).toBe(
      '{"at":"2025-01-02T03:04:05.006Z","list":[null,null,null]}',
    );
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  test('what a caller appends and what a store gives back (parsed, keys re-ordered) have one canonical form', () => {
    const written = {
      userName: 'zoë@example.com',
      name: { givenName: 'Zoë', familyName: '王' },
      emails: [{ value: 'z@example.com', primary: true, type: undefined }],
      since: new Date('2024-02-29T00:00:00.000Z'),
      quota: 0,
    };
    const stored = JSON.parse(JSON.stringify(written)) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(stored).reverse());

    expect(canonicalJson(reordered)).toBe(canonicalJson(written));
  });
});

describe('eventHash', () => {
  const event = {
    id: 'e1',
    streamId: 'user-1',
    revision: 0,
    type: 'UserProvisioned',
    data: { userName: 'a' },
    metadata: { accountId: 'acc', correlationId: 'c' },
  };

  test('is SHA-256 in hex, stable, and ignores the chain link already in the metadata', () => {
    const hash = eventHash(event, GENESIS_HASH);

    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...event, metadata: { ...event.metadata, chain: { prev: 'x', hash: 'y' } } }, GENESIS_HASH)).toBe(hash);
    expect(eventHash({ ...event, metadata: { correlationId: 'c', accountId: 'acc' } }, GENESIS_HASH)).toBe(hash);
  });

  test.each([
    ['id', { id: 'e2' }],
    ['stream', { streamId: 'user-2' }],
    ['revision', { revision: 1 }],
    ['type', { type: 'UserDeactivated' }],
    ['data', { data: { userName: 'b' } }],
    ['metadata', { metadata: { accountId: 'other', correlationId: 'c' } }],
  ])('changes when the %s changes', (_, change) => {
    expect(eventHash({ ...event, ...change }, GENESIS_HASH)).not.toBe(eventHash(event, GENESIS_HASH));
  });

  test('changes with prev, so an event cannot be moved behind another one', () => {
    expect(eventHash(event, 'f'.repeat(64))).not.toBe(eventHash(event, GENESIS_HASH));
  });
});
