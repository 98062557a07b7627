import { ScimError } from '@scim/scim-protocol';
import { nestsDeeperThan, parseJsonBody } from './json-body';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function refusal(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('nestsDeeperThan', () => {
  it('counts objects and arrays opened at once, not in sequence', () => {
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 2)).toBe(true);
    expect(nestsDeeperThan('[[1],[2],[3],[4]]', 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\","b":[[1]]}', 2)).toBe(true);
  });

  it('scans a million levels without recursion', () => {
    expect(nestsDeeperThan('['.repeat(1_000_000) + ']'.repeat(1_000_000), 64)).toBe(true);
  });
});

describe('parseJsonBody', () => {
  it('parses UTF-8 JSON, an empty body being {}', () => {
    expect(parseJsonBody(bytes('{"displayName":"Zoë 名"}'), 64)).toEqual({ displayName: 'Zoë 名' });
    expect(parseJsonBody(new Uint8Array(0), 64)).toEqual({});
  });

  it('refuses invalid UTF-8 instead of storing replacement characters', () => {
    const invalid = Buffer.concat([bytes('{"displayName":"'), Buffer.from([0xc3, 0x28]), bytes('"}')]);
    const error = refusal(() => parseJsonBody(invalid, 64));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(error.detail).toMatch(/UTF-8/);
  });

  it('refuses nesting past the limit before parsing, naming the limit', () => {
    const error = refusal(() => parseJsonBody(bytes('['.repeat(65) + ']'.repeat(65)), 64));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(error.detail).toMatch(/deeper than 64 levels/);
    expect(parseJsonBody(bytes('['.repeat(64) + ']'.repeat(64)), 64)).toBeInstanceOf(Array);
  });

  it('refuses text that is not JSON', () => {
    expect(refusal(() => parseJsonBody(bytes('{"schemas": ['), 64))).toMatchObject({ status: 400, scimType: 'invalidSyntax', detail: 'Request body is not valid JSON' });
  });
});
