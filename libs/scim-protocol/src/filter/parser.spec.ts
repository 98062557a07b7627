import { ScimError } from '../scim-error';
import { userResourceSchema } from '../schema/resource-schema';
import type { FilterNode } from './ast';
import { FILTER_LIMITS, parseFilter, parsePatchPath } from './parser';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A compact rendering of the AST, to assert structure and precedence. */
function show(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `${node.path.text} ${node.op} ${JSON.stringify(node.value)}`;
    case 'present':
      return `${node.path.text} pr`;
    case 'and':
    case 'or':
      return `(${show(node.left)} ${node.kind} ${show(node.right)})`;
    case 'not':
      return `not(${show(node.filter)})`;
    case 'valuePath':
      return `${node.path.text}[${show(node.filter)}]`;
  }
}

function errorOf(run: () => unknown): ScimError {
  try {
    run();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('parseFilter', () => {
  it.each([
    ['userName eq "bjensen"', 'userName eq "bjensen"'],
    ['name.familyName co "O\'Malley"', 'name.familyName co "O\'Malley"'],
    ['userName sw "J"', 'userName sw "J"'],
    ['title pr', 'title pr'],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'meta.lastModified gt "2011-05-13T04:42:34Z"'],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', 'meta.lastModified ge "2011-05-13T04:42:34Z"'],
    ['title pr and userType eq "Employee"', '(title pr and userType eq "Employee")'],
    ['title pr or userType eq "Intern"', '(title pr or userType eq "Intern")'],
    ['a eq 1 or b eq 2 and c eq 3', '(a eq 1 or (b eq 2 and c eq 3))'],
    ['a eq 1 and b eq 2 or c eq 3', '((a eq 1 and b eq 2) or c eq 3)'],
    ['a eq 1 and (b eq 2 or c eq 3)', '(a eq 1 and (b eq 2 or c eq 3))'],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', '(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))'],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', '(userType ne "Employee" and not((emails co "example.com" or emails.value co "example.org")))'],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', '(emails[(type eq "work" and value co "@example.com")] or ims[(type eq "xmpp" and value co "@foo.com")])'],
    ['emails[type eq "work"].value eq "a@b.c"', 'emails[(type eq "work" and value eq "a@b.c")]'],
    ['emails[not (type eq "work")]', 'emails[not(type eq "work")]'],
    [`${ENTERPRISE}:employeeNumber eq "42"`, `${ENTERPRISE}:employeeNumber eq "42"`],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'],
    ['USERNAME EQ "x" AND Active Eq TRUE', '(USERNAME eq "x" and Active eq true)'],
    ['not(active eq false)', 'not(active eq false)'],
    ['  userName   eq   "x"  ', 'userName eq "x"'],
    ['x eq null', 'x eq null'],
    ['x gt -1.5e3', 'x gt -1500'],
    ['members.$ref eq "x"', 'members.$ref eq "x"'],
  ])('%s', (text, expected) => {
    expect(show(parseFilter(text))).toBe(expected);
  });

  it('decodes JSON string escapes', () => {
    const node = parseFilter('displayName eq "a \\"quoted\\" \\\\ \\u00e9\\n"');
    expect(node).toMatchObject({ kind: 'compare', value: 'a "quoted" \\ é\n' });
  });

  it('splits URN-qualified paths into uri, name and sub-attribute', () => {
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "m"`)).toMatchObject({
      path: { uri: ENTERPRISE, name: 'manager', subAttr: 'value', position: 0 },
    });
  });

  it.each([
    ['userName', 'expected an operator', 9],
    ['userName eq', 'expected a value', 12],
    ['userName eq "x" and', 'expected an attribute path', 20],
    ['userName xx "x"', 'expected an operator', 10],
    ['userName eq "x', 'unterminated string', 13],
    ['userName eq "\\q"', 'invalid escape', 13],
    ['(userName eq "x"', 'expected ")"', 17],
    ['userName eq "x")', 'expected "and", "or" or the end', 16],
    ['emails[type eq "work"', 'expected "]"', 22],
    ['emails[type[value eq "x"] eq "y"]', 'cannot be nested', 12],
    ['emails[urn:x:y:type eq "w"]', 'name a sub-attribute', 8],
    ['userName eq 12abc', 'invalid number', 13],
    ['userName eq "x" & title pr', 'unexpected character "&"', 17],
    ['userName eq bjensen', 'expected a value', 13],
    ['not userName eq "x"', 'expected an operator', 5],
    ['a.b.c eq "x"', 'is not an attribute path', 1],
    ['emails[type eq "w"].value', 'expected an operator', 26],
  ])('%j is invalidFilter (%s) at character %d', (text, message, character) => {
    const error = errorOf(() => parseFilter(text));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(error.detail).toContain(message);
    expect(error.detail).toContain(`at character ${character} `);
  });

  it('rejects an empty filter', () => {
    expect(errorOf(() => parseFilter('  '))).toMatchObject({ scimType: 'invalidFilter' });
  });

  describe('limits (a deep or long filter once overflowed the stack: 500)', () => {
    const nestedIn = (depth: number, open: string) => `${open.repeat(depth)}userName pr${')'.repeat(depth)}`;

    it.each(['(', 'not ('])('accepts %j nested to the limit and refuses one level more', (open) => {
      expect(() => parseFilter(nestedIn(FILTER_LIMITS.maxNesting, open))).not.toThrow();
      const error = errorOf(() => parseFilter(nestedIn(FILTER_LIMITS.maxNesting + 1, open)));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      expect(error.detail).toContain(`nested deeper than ${FILTER_LIMITS.maxNesting} levels`);
    });

    it('counts value filters as nesting', () => {
      const deep = `emails[${nestedIn(FILTER_LIMITS.maxNesting, '(')}]`;
      expect(errorOf(() => parseFilter(deep)).detail).toContain('nested deeper');
    });

    it('refuses more comparisons than the limit', () => {
      const chain = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
      expect(() => parseFilter(chain(FILTER_LIMITS.maxComparisons))).not.toThrow();
      expect(errorOf(() => parseFilter(chain(FILTER_LIMITS.maxComparisons + 1))).detail).toContain(`more than ${FILTER_LIMITS.maxComparisons} comparisons`);
    });

    it('refuses a text longer than the limit, and quotes only the start of a long one', () => {
      const long = `userName co "${'a'.repeat(FILTER_LIMITS.maxLength)}"`;
      expect(errorOf(() => parseFilter(long))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      const error = errorOf(() => parseFilter(`userName eq "${'a'.repeat(5_000)}" and`));
      expect(error.detail.length).toBeLessThan(400);
    });

    it('applies to PATCH paths', () => {
      expect(errorOf(() => parsePatchPath(`emails[${nestedIn(1_000, 'not (')}]`))).toMatchObject({ status: 400, scimType: 'invalidPath' });
    });
  });

  describe('with a schema', () => {
    it('accepts known attributes', () => {
      expect(() => parseFilter('emails[type eq "work"].value eq "x" and name.familyName pr', userResourceSchema)).not.toThrow();
    });

    it.each([
      ['foo eq "x"', 'unknown attribute "foo"', 1],
      ['userName eq "x" or name.foo pr', 'unknown attribute "name.foo"', 20],
      ['emails[kind eq "work"]', '"kind" is not a sub-attribute of "emails"', 8],
      ['active gt true', '"gt" is not allowed on boolean', 8],
      ['x509Certificates.value lt "AAA"', '"lt" is not allowed on binary', 24],
      ['name eq "x"', 'is complex', 1],
      ['password eq "x"', 'cannot be filtered', 1],
      ['meta.created gt "last week"', 'not a valid dateTime', 14],
      ['userName eq 5', 'needs a string value', 10],
    ])('%j is invalidFilter: %s', (text, message, character) => {
      const error = errorOf(() => parseFilter(text, userResourceSchema));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      expect(error.detail).toContain(message);
      expect(error.detail).toContain(`at character ${character})`);
    });
  });
});

describe('parsePatchPath', () => {
  it.each([
    ['members', { attribute: { name: 'members' } }],
    ['name.familyName', { attribute: { name: 'name', subAttr: 'familyName' } }],
    [`${ENTERPRISE}:manager`, { attribute: { uri: ENTERPRISE, name: 'manager' } }],
    ['addresses[type eq "work"].streetAddress', { attribute: { name: 'addresses' }, subAttr: 'streetAddress' }],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', { attribute: { name: 'members' } }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toMatchObject({ text, ...expected });
  });

  it('keeps the value filter', () => {
    expect(show(parsePatchPath('emails[type eq "work" and primary eq true].value').filter!)).toBe('(type eq "work" and primary eq true)');
  });

  it.each(['members[value eq "x"', 'name.familyName[type eq "x"]', 'userName eq "x"', 'emails[type eq "w"].value.x', '', 'members]'])(
    '%j is invalidPath',
    (text) => {
      expect(errorOf(() => parsePatchPath(text))).toMatchObject({ status: 400, scimType: 'invalidPath' });
    },
  );
});
