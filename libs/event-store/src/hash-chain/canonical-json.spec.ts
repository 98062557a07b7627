import { hash as digest } from 'node:crypto';
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

  test('gives the hash recorded by an earlier build for a sealed UserProvisioned (logs written before verify after, and back)', () => {
    // As stored by main at 957bb4c (position 3,001 of a POST benchmark's events.db).
    const stored = {
      id: '01a24de6-12b1-7f5f-ab70-c81f57d3d9c8',
      streamId: 'user-01a24de6-12a4-79c3-bc45-f68b2b514de2',
      revision: 0,
      type: 'UserProvisioned',
      data: JSON.parse(
        '{"userId":"01a24de6-12a4-79c3-bc45-f68b2b514de2","accountId":"a6164b43-28a0-4562-8ce8-d35ff6f3ae65","active":true,"provisionedAt":"2026-12-07T00:27:33.412Z","sealed":{"v":1,"keyId":"df3eae7e-05ce-4bab-b9c1-7a6d17b2ea5e","fields":["profile"],"box":"ovg//D3F5N1u0S+TaFlePXnWKuZBYeO475HC4/qf/eoUGmK7x92ofqnnwuy/ceeIXDIsoBfcTkP1ouy0uVphvUnqr/I4xQIvJnz2YBth86TLPo0S+GbDjDc36Rs7vgMAFCjo4a/8Hsvd0ky/YFBxCS9ex5V8lK1d0VahzAS2CeOhqyXzJdaVZS6Fs+JNWBDxM57lbTV/kQF1Yi5OxNiSwa85KLLHP9/02Z6NkPl7OecprElCsgS70xNbUGNRtc4dQ02EpDTLjEZLRykqSJoT6jO3Z8S4XFFZPGF1T+STzcnJcjtFNCPkFLRw8ilwHt0KjjBR3Ajlnv6F2FDZRzmCYvNvmZso3SlWUtcSUpQy"}}',
      ) as Record<string, unknown>,
      metadata: JSON.parse(
        '{"accountId":"a6164b43-28a0-4562-8ce8-d35ff6f3ae65","actor":{"kind":"scim-token","tokenId":"6c8ced9e-d689-465b-8cad-800848937457"},"occurredAt":"2026-12-07T00:27:33.412Z","correlationId":"253a0009-0e1b-466a-b7a4-14f9c7b5f7ca","causationId":"253a0009-0e1b-466a-b7a4-14f9c7b5f7ca","schemaVersion":1,"normalizations":["readonly-ignored:groups"],"chain":{"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"b9a3ff2845bb8b3ac0f253c691dec621d75ca1aeb7d88a63e4cae954f2d7c5bf"}}',
      ) as Record<string, unknown>,
    };
    expect(eventHash(stored, GENESIS_HASH)).toBe('b9a3ff2845bb8b3ac0f253c691dec621d75ca1aeb7d88a63e4cae954f2d7c5bf');
  });

  test.each([
    ['a plain event', event, GENESIS_HASH],
    ['keys to sort at every depth, "__proto__" and integer-like ones', { ...event, data: JSON.parse('{"z":1,"__proto__":{"b":2,"a":1},"10":[{"y":0,"9":1}]}') as Record<string, unknown> }, 'a'.repeat(64)],
    ['odd revisions, ids and a malformed prev', { ...event, id: 'q"\u2028', revision: -0 }, 'not a hash'],
  ])('is SHA-256 of the canonical JSON of the covered fields: %s', (_, hashed, prev) => {
    const { chain: _chain, ...metadata } = hashed.metadata as Record<string, unknown>;
    const covered = { v: 1, id: hashed.id, streamId: hashed.streamId, revision: hashed.revision, type: hashed.type, data: hashed.data, metadata, prev };
    expect(eventHash(hashed, prev)).toBe(digest('sha256', canonicalJson(covered), 'hex'));
  });

  test('changes with prev, so an event cannot be moved behind another one', () => {
    expect(eventHash(event, 'f'.repeat(64))).not.toBe(eventHash(event, GENESIS_HASH));
  });
});
