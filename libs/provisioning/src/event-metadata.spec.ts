import fc from 'fast-check';
import { AppendTooLargeError, MAX_APPEND_BYTES } from '@scim/event-store';
import { assertFitsOneAppend, jsonBytesAtMost } from './event-metadata';

const exactBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('jsonBytesAtMost', () => {
  test('is never below the UTF-8 length of the JSON text (any JSON value, any strings, lone surrogates included)', () => {
    const text = fc.string({ unit: 'binary' });
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.dictionary(text, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 5 }),
    })).value;
    fc.assert(fc.property(json, (value) => jsonBytesAtMost(value, Infinity) >= exactBytes(value)), { numRuns: 2000 });
  });

  test('counts a number and a string at their longest JSON text', () => {
    expect(jsonBytesAtMost(-0.0000010000000000000002, Infinity)).toBeGreaterThanOrEqual(exactBytes(-0.0000010000000000000002));
    expect(jsonBytesAtMost('\u001f\ud800', Infinity)).toBeGreaterThanOrEqual(exactBytes('\u001f\ud800'));
  });

  test('is Infinity for what JSON.stringify must judge itself: toJSON, class instances, BigInt, deep nesting', () => {
    let deep: unknown = {};
    for (let i = 0; i < 70; i++) deep = { a: deep };
    for (const value of [new Date(0), { at: new Date(0) }, new Map(), [1n], deep]) expect(jsonBytesAtMost(value, Infinity)).toBe(Infinity);
  });

  test('stops once past the budget', () => {
    const big = { a: 'x'.repeat(100), b: 'y'.repeat(100) };
    expect(jsonBytesAtMost(big, 50)).toBeGreaterThan(50);
    expect(jsonBytesAtMost(big, 50)).toBeLessThan(jsonBytesAtMost(big, Infinity));
  });
});

describe('assertFitsOneAppend', () => {
  const limit = MAX_APPEND_BYTES - 16_384;

  test('lets a resource whose JSON is at the limit through, refuses one a byte over with its exact size', () => {
    const sized = (bytes: number) => ({ userName: 'x'.repeat(bytes - '{"userName":""}'.length) });
    expect(() => assertFitsOneAppend('user-1', sized(limit))).not.toThrow();
    expect(() => assertFitsOneAppend('user-1', sized(limit + 1))).toThrow(new AppendTooLargeError('user-1', limit + 1, limit));
  });

  test('measures multi-byte text in UTF-8 bytes', () => {
    const emoji = '\u{1F600}'; // 4 bytes in UTF-8
    const resource = { name: emoji.repeat(Math.ceil(limit / 4)) };
    expect(() => assertFitsOneAppend('user-1', resource)).toThrow(new AppendTooLargeError('user-1', exactBytes(resource), limit));
  });

  test('leaves a value JSON cannot write to JSON.stringify (its own TypeError)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => assertFitsOneAppend('user-1', cyclic)).toThrow(TypeError);
  });
});
