import { parsePatchRequest } from './patch-request';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('parsePatchRequest', () => {
  it('reads operations with case-insensitive op names (Entra: Add/Replace/Remove)', () => {
    const ops = parsePatchRequest({
      schemas: [PATCH],
      Operations: [
        { op: 'Add', path: 'members', value: [{ value: 'u1' }] },
        { op: 'REPLACE', value: { active: false } },
        { op: 'remove', path: 'members[value eq "u2"]' },
      ],
    });
    expect(ops.map((o) => o.op)).toEqual(['add', 'replace', 'remove']);
    expect(ops[0]).toMatchObject({ path: { text: 'members', attribute: { name: 'members' } }, value: [{ value: 'u1' }] });
    expect(ops[1]).not.toHaveProperty('path');
    expect(ops[2]).not.toHaveProperty('value');
    expect(ops[2].path?.filter).toMatchObject({ kind: 'compare', op: 'eq', value: 'u2' });
  });

  it('accepts member names in any case and null as a value', () => {
    const [op] = parsePatchRequest({ SCHEMAS: [PATCH.toUpperCase()], operations: [{ OP: 'replace', PATH: 'title', VALUE: null }] });
    expect(op).toMatchObject({ op: 'replace', path: { text: 'title' }, value: null });
  });

  it('treats an empty path as absent, noted', () => {
    const [op] = parsePatchRequest({ schemas: [PATCH], Operations: [{ op: 'replace', path: '', value: { active: false } }] });
    expect(op.path).toBeUndefined();
    expect(op.quirks).toEqual(['empty-path-ignored']);
  });

  it.each([
    [null, 'invalidSyntax'],
    [[], 'invalidSyntax'],
    [{ Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    [{ schemas: [PATCH] }, 'invalidSyntax'],
    [{ schemas: [PATCH], Operations: {} }, 'invalidSyntax'],
    [{ schemas: [PATCH], Operations: [] }, 'invalidValue'],
    [{ schemas: [PATCH], Operations: ['add'] }, 'invalidSyntax'],
    [{ schemas: [PATCH], Operations: [{ op: 'delete', path: 'title' }] }, 'invalidSyntax'],
    [{ schemas: [PATCH], Operations: [{ path: 'title', value: 'x' }] }, 'invalidSyntax'],
    [{ schemas: [PATCH], Operations: [{ op: 'add', path: 'title' }] }, 'invalidValue'],
    [{ schemas: [PATCH], Operations: [{ op: 'replace' }] }, 'invalidValue'],
    [{ schemas: [PATCH], Operations: [{ op: 'remove' }] }, 'noTarget'],
    [{ schemas: [PATCH], Operations: [{ op: 'remove', path: '', value: [{ value: 'x' }] }] }, 'noTarget'],
    [{ schemas: [PATCH], Operations: [{ op: 'add', path: 5, value: 'x' }] }, 'invalidPath'],
    [{ schemas: [PATCH], Operations: [{ op: 'remove', path: 'members[value eq "x"' }] }, 'invalidPath'],
  ])('%j is 400 %s', (body, scimType) => {
    expect(() => parsePatchRequest(body)).toThrow(expect.objectContaining({ status: 400, scimType }));
  });

  it('names the failing operation', () => {
    expect(() => parsePatchRequest({ schemas: [PATCH], Operations: [{ op: 'add', path: 'a', value: 1 }, { op: 'nope' }] })).toThrow(
      expect.objectContaining({ detail: expect.stringContaining('Operations[1]') }),
    );
  });
});
