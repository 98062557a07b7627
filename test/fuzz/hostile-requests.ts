import fc from 'fast-check';

/** One generated request, as bytes on the wire; `kind` names the generator for the report. */
export interface HostileRequest {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** The ids and credentials the generators aim at: one fuzzed account, and others it must not reach. */
export interface FuzzTargets {
  readonly accountId: string;
  readonly scimToken: string;
  readonly adminKey: string;
  readonly operatorKey: string;
  /** A read-only key of the events API. */
  readonly eventsKey: string;
  readonly userId: string;
  readonly groupId: string;
  readonly platformGroupId: string;
  readonly role: string;
  /** An account whose data must come out of the run unchanged: only ever reached with A's credentials. */
  readonly canaryAccountId: string;
  readonly canaryUserId: string;
  readonly canaryGroupId: string;
  /** An account the run may disable, enable and issue credentials on. */
  readonly scratchAccountId: string;
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'then'];

const UNICODE_ODDITIES = [
  '\uD800', // lone high surrogate
  'a\uDFFFb', // lone low surrogate
  'nul\u0000inside',
  '\u202Eevil\u202C', // right-to-left override
  '\uFEFFbom',
  'e\u0301\u0301\u0301', // stacked combining marks
  'ｆｕｌｌｗｉｄｔｈ',
  '\u200B\u200C\u200D',
  '😀👩‍👩‍👧',
  '\u0085\u2028\u2029',
  'İı', // case mapping changes the length
  'ß',
];

const REGEX_AND_INJECTION = [
  '.*', '(a+)+$', '(a|aa)*b', '([a-zA-Z]+)*$', '[', '\\', '^$', '(?=x)', '%', '_', '%_%', '\\u0000', '*', '?',
  "'; DROP TABLE entries; --", '"', "'", '$where', '$gt', '{"$ne":null}', '$regex', '.', 'a.b', '[0]', 'x[y]', '\\"',
];

/** Spellings of numbers that parse oddly or not at all. */
export const ODD_NUMBERS = [
  'NaN', '1e309', '-1e309', '-0', '0', '-1', '1.5', '1e21', '1e3', '18446744073709551616', '9007199254740993',
  '0x1F', '', ' ', ' 7', 'Infinity', '-Infinity', '١٢', '+1', '1_000', '2147483648', '-2147483649', '00001', '1,2', 'true', 'null',
];

const long = (min: number, max: number) => fc.integer({ min, max }).map((n) => 'x'.repeat(n));

/** Strings an attacker would try: prototype names, unicode oddities, regex and injection shapes, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES), weight: 3 },
  { arbitrary: fc.constantFrom(...UNICODE_ODDITIES), weight: 3 },
  { arbitrary: fc.constantFrom(...REGEX_AND_INJECTION), weight: 3 },
  { arbitrary: fc.constantFrom(...ODD_NUMBERS), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: long(300, 70_000), weight: 1 },
);

/** Hostile strings short enough for a query string or a path. */
const shortHostileString = hostileString.filter((text) => text.length <= 2_000);

const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-0, -1, 0, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** JSON values of every type, keys included, with hostile strings throughout. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    oddNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_NAMES)), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A JSON text nested `depth` deep, inside a body that otherwise looks plausible. */
const deeplyNested = (prefix: string, suffix: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.oneof({ arbitrary: fc.integer({ min: 100, max: 20_000 }), weight: 8 }, { arbitrary: fc.integer({ min: 100_000, max: 1_000_000 }), weight: 1 }), fc.boolean())
    .map(([depth, arrays]) => {
      const deep = arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      return `${prefix}${deep}${suffix}`;
    });

/** JSON texts that JSON.parse reads into surprising values, or not at all. */
const rawJsonTexts = [
  '', ' ', 'null', 'true', '0', '"text"', '[]', '[1,2,3]', '{', '{"a":', '{"a":1}}', '{"count":1e309}', '{"startIndex":-0}',
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"a":1,"a":2}', '\u0000', '{"schemas":null}',
  '{"schemas":"' + USER + '"}', '{"Operations":{}}', '{"userName":{"$ne":null}}', 'undefined', 'NaN', "{'a':1}", '[' + '1,'.repeat(50_000) + '1]',
];

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Replaces, adds or retypes one top-level member of a plausible body. */
function mutated(base: Record<string, unknown>, keys: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constant(base), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...keys, ...PROTOTYPE_NAMES), hostileValue).map(([key, value]) => withMember(base, key, value)), weight: 6 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), fc.constantFrom(...keys), hostileValue, hostileValue)
        .map(([k1, k2, v1, v2]) => withMember(withMember(base, k1, v1), k2, v2)),
      weight: 2,
    },
    { arbitrary: hostileValue, weight: 1 },
  );
}

/** Sets a member on a copy; `__proto__` becomes an own key, as JSON.parse makes it. */
function withMember(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const userName = fc.oneof(
  { arbitrary: fc.uuid().map((id) => `fuzz-${id}@example.com`), weight: 4 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: fc.constantFrom('fixture.user@example.com', 'FIXTURE.USER@example.com', 'canary.user@example.com'), weight: 1 },
);

const userBody: fc.Arbitrary<unknown> = userName.chain((name) =>
  mutated(
    {
      schemas: [USER, ENTERPRISE],
      userName: name,
      name: { givenName: 'Fuzz', familyName: 'User' },
      displayName: 'Fuzz User',
      emails: [{ value: 'fuzz@example.com', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE]: { employeeNumber: '1', manager: { value: 'someone' } },
    },
    ['schemas', 'userName', 'name', 'displayName', 'emails', 'phoneNumbers', 'addresses', 'roles', 'groups', 'entitlements', 'x509Certificates', 'active', 'meta', 'id', 'externalId', 'password', 'timezone', 'locale', ENTERPRISE, `${ENTERPRISE}:manager`],
  ),
);

const groupBody = (targets: FuzzTargets): fc.Arbitrary<unknown> =>
  fc.uuid().chain((id) =>
    mutated(
      { schemas: [GROUP], displayName: `fuzz group ${id}`, members: [{ value: targets.userId }] },
      ['schemas', 'displayName', 'members', 'externalId', 'meta', 'id'],
    ),
  );

const filterAttribute = fc.constantFrom(
  'userName', 'emails.value', 'emails[type eq "work"].value', 'name.givenName', 'meta.lastModified', 'active', 'id', 'externalId', 'displayName',
  'members.value', `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager.value`, 'urn:nope:x', ...PROTOTYPE_NAMES, 'a.b.c.d', 'emails[', '',
);
const filterOperator = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'regex', 'like', '=', '');
const filterOperand = fc.oneof(
  hostileString.map((s) => json(s)),
  fc.constantFrom('true', 'false', 'null', '1e309', '-0', '12', '"2015-01-01T00:00:00Z"', '"unterminated', "'single'", '"\\"', '"\\u"', '"\\uZZZZ"'),
);

/**
 * RFC 7644 §3.4.2.2 filters: valid ones with hostile operands, malformed ones, deep and ReDoS-shaped
 * ones, up to `scale` repetitions (a query string must stay under Node's 16 KB header limit to reach a handler).
 */
const filterOf = (scale: number): fc.Arbitrary<string> => fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(filterAttribute, filterOperator, filterOperand).map(([a, o, v]) => (o === 'pr' ? `${a} pr` : `${a} ${o} ${v}`)),
    fc.tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'xor'), tie('filter')).map(([l, c, r]) => `${l} ${c} ${r}`),
    tie('filter').map((f) => `not (${f})`),
    fc.tuple(fc.constantFrom('emails', 'members', 'addresses', 'x'), tie('filter')).map(([a, f]) => `${a}[${f}]`),
    fc.integer({ min: 1, max: scale }).map((n) => `${'('.repeat(n)}userName eq "x"${')'.repeat(n)}`),
    fc.integer({ min: 1, max: scale }).map((n) => `${'not ('.repeat(n)}userName pr${')'.repeat(n)}`),
    fc.integer({ min: 1, max: Math.ceil(scale / 10) }).map((n) => Array.from({ length: n }, () => 'userName eq "a"').join(' or ')),
    fc.integer({ min: 1, max: scale }).map((n) => `userName co "${'a'.repeat(n)}!"`),
    fc.constantFrom('userName eq', 'eq "x"', '(userName eq "x"', 'userName eq "x")', 'userName eq "x" and', '[', ']', '"', 'emails[[type eq "w"]]', 'a b c d'),
    shortHostileString,
  ),
})).filter;

export const filterText = filterOf(50_000);
const queryFilterText = filterOf(600);

const queryValue = fc.oneof(shortHostileString, fc.constantFrom(...ODD_NUMBERS));

/** A query string from name/value pairs, percent-encoded; names may repeat (they become arrays). */
function queryOf(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return '?' + pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&');
}

/** encodeURIComponent that survives lone surrogates (it throws on them). */
function encodeSegment(value: string): string {
  return Buffer.from(value, 'utf8').toString('binary').replace(/[^A-Za-z0-9_.~-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const listQuery: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constant('filter'), queryFilterText),
      fc.tuple(fc.constantFrom('startIndex', 'count'), fc.oneof(fc.constantFrom(...ODD_NUMBERS), fc.integer().map(String), fc.bigInt().map(String))),
      fc.tuple(fc.constantFrom('sortBy', 'attributes', 'excludedAttributes'), fc.oneof(filterAttribute, shortHostileString)),
      fc.tuple(fc.constant('sortOrder'), fc.oneof(fc.constantFrom('ascending', 'descending', 'DESC'), shortHostileString)),
      fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES), queryValue),
    ),
    { maxLength: 4 },
  )
  .map(queryOf);

const searchBody: fc.Arbitrary<unknown> = fc
  .record({ filter: filterText, startIndex: fc.oneof(oddNumber, hostileValue), count: fc.oneof(oddNumber, hostileValue), sortBy: fc.oneof(filterAttribute, hostileString) })
  .chain((fields) => mutated({ schemas: [SEARCH], ...fields }, ['schemas', 'filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes']));

const patchPath = fc.oneof(
  fc.constantFrom(
    'displayName', 'name.givenName', 'emails', 'emails[type eq "work"].value', 'emails[type eq "work"]', 'members', 'members[value eq "x"]',
    `${ENTERPRISE}:manager`, `${ENTERPRISE}:employeeNumber`, 'active', 'userName', 'id', 'meta.version', 'roles', 'emails[', 'emails]', 'a[b[c]]',
    '__proto__', '__proto__.polluted', 'constructor.prototype', 'name.__proto__', 'emails[value co "(a+)+$"].display', '',
  ),
  queryFilterText.map((f) => `emails[${f}].value`),
  hostileString,
);

const patchBody: fc.Arbitrary<unknown> = fc
  .array(
    fc.record(
      { op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE'), hostileString), path: patchPath, value: hostileValue },
      { requiredKeys: ['op'] },
    ),
    { maxLength: 5 },
  )
  .chain((operations) => mutated({ schemas: [PATCH_OP], Operations: operations }, ['schemas', 'Operations']));

/** RFC 7644 §3.7 bulk requests whose operations carry the other generators' bodies, paths and bulkIds. */
const bulkBody = (targets: FuzzTargets): fc.Arbitrary<unknown> =>
  fc
    .array(
      fc.record(
        {
          method: fc.oneof(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'post'), hostileString),
          path: fc.oneof(fc.constantFrom('/Users', '/Groups', `/Users/${targets.userId}`, `/Groups/${targets.groupId}`, '/Users/bulkId:a', '/Bulk', '/Users/.search'), shortHostileString),
          bulkId: fc.oneof(fc.constantFrom('a', 'b', ...PROTOTYPE_NAMES), shortHostileString),
          version: fc.oneof(fc.constantFrom('W/"0"', 'W/"-1"'), shortHostileString),
          data: fc.oneof(userBody, groupBody(targets), patchBody, hostileValue),
        },
        { requiredKeys: ['method'] },
      ),
      { maxLength: 6 },
    )
    .chain((operations) =>
      mutated({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], failOnErrors: 1, Operations: operations }, ['schemas', 'failOnErrors', 'Operations']),
    );

const adminBodies: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  account: mutated({ name: 'Fuzz account' }, ['name']),
  adminKey: mutated({ label: 'fuzz', validForDays: 30 }, ['label', 'validForDays']),
  token: mutated({ validForDays: 30, label: 'fuzz' }, ['validForDays', 'label']),
  role: fc.uuid().chain((id) => mutated({ role: `fuzz-${id.slice(0, 8)}`, description: 'fuzz' }, ['role', 'description'])),
  manualUser: fc.uuid().chain((id) => mutated({ userName: `manual-${id}@example.com`, displayName: 'Manual', email: 'manual@example.com' }, ['userName', 'displayName', 'email'])),
  assignRole: mutated({ role: 'fuzz-role' }, ['role']),
  platformGroup: fc.uuid().chain((id) => mutated({ displayName: `platform ${id}` }, ['displayName'])),
  roleMapping: mutated({ roles: ['fuzz-role'] }, ['roles']),
  members: mutated({ members: ['x'] }, ['members']),
  customAttribute: fc.uuid().chain((id) =>
    mutated(
      { resourceType: 'User', schemaUrn: 'urn:ietf:params:scim:schemas:extension:Fuzz:2.0:User', name: `fuzz${id.slice(0, 8)}`, type: 'string', multiValued: false, required: false },
      ['resourceType', 'schemaUrn', 'name', 'type', 'multiValued', 'required'],
    ),
  ),
  undeclaredExtensions: mutated({ policy: 'refuse' }, ['policy']),
  retention: mutated({ eraseDeprovisionedAfterDays: 30 }, ['eraseDeprovisionedAfterDays']),
  erase: mutated({ reason: 'fuzz' }, ['reason']),
};

type Credential = 'scim' | 'admin' | 'operator' | 'events' | 'none';

/** A route of the service: its family, the credential it expects, how to build its path and body. */
interface Route {
  readonly family: 'scim' | 'discovery' | 'admin' | 'audit' | 'support' | 'events' | 'console' | 'health' | 'unknown';
  readonly method: string;
  readonly credential: Credential;
  /** The path template; `{a}` is the account, `{u}` a user, `{g}` a group, `{p}` a platform group, `{r}` a role, `{x}` any id. */
  readonly template: string;
  readonly query?: fc.Arbitrary<string>;
  readonly body?: fc.Arbitrary<unknown>;
}

function routes(targets: FuzzTargets): Route[] {
  const scim = (method: string, template: string, extra: Partial<Route> = {}): Route => ({ family: 'scim', method, credential: 'scim', template: `/scim/v2/{a}${template}`, ...extra });
  const admin = (method: string, template: string, body?: fc.Arbitrary<unknown>, credential: Credential = 'admin'): Route => ({
    family: 'admin',
    method,
    credential,
    template: `/admin/accounts${template}`,
    ...(body ? { body } : {}),
  });
  const auditQuery = fc
    .array(
      fc.tuple(fc.constantFrom('cursor', 'limit', 'type', 'from', 'to', ...PROTOTYPE_NAMES), fc.oneof(queryValue, fc.bigInt().map(String), fc.constantFrom('UserProvisioned', '2026-01-01', '2026-01-01T00:00:00+01:00'))),
      { maxLength: 5 },
    )
    .map(queryOf);
  const supportQuery = fc
    .array(fc.tuple(fc.constantFrom('asOf', 'from', 'to', 'limit', 'userName', 'includeDeleted', ...PROTOTYPE_NAMES), fc.oneof(queryValue, fc.constantFrom('2026-01-01T00:00:00Z', 'true'))), { maxLength: 3 })
    .map(queryOf);
  const audit = (template: string, query = auditQuery): Route => ({ family: 'audit', method: 'GET', credential: 'operator', template: `/audit/accounts/{a}${template}`, query });
  const support = (template: string): Route => ({ family: 'support', method: 'GET', credential: 'admin', template: `/support/accounts/{a}${template}`, query: supportQuery });
  return [
    scim('GET', '/Users', { query: listQuery }),
    scim('POST', '/Users', { body: userBody }),
    scim('GET', '/Users/{u}', { query: listQuery }),
    scim('PUT', '/Users/{u}', { body: userBody }),
    scim('PATCH', '/Users/{u}', { body: patchBody }),
    scim('DELETE', '/Users/{x}'),
    scim('POST', '/Users/.search', { body: searchBody }),
    scim('GET', '/Groups', { query: listQuery }),
    scim('POST', '/Groups', { body: groupBody(targets) }),
    scim('GET', '/Groups/{g}', { query: listQuery }),
    scim('PUT', '/Groups/{g}', { body: groupBody(targets) }),
    scim('PATCH', '/Groups/{g}', { body: patchBody }),
    scim('DELETE', '/Groups/{x}'),
    scim('POST', '/Groups/.search', { body: searchBody }),
    scim('POST', '/.search', { body: searchBody }),
    { family: 'discovery', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/ServiceProviderConfig' },
    { family: 'discovery', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/Schemas' },
    { family: 'discovery', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/Schemas/{x}' },
    { family: 'discovery', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/ResourceTypes' },
    { family: 'discovery', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/ResourceTypes/{x}' },
    scim('POST', '/Bulk', { body: bulkBody(targets) }),
    { family: 'discovery', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/Me' },
    admin('POST', '', adminBodies.account, 'operator'),
    admin('GET', '/{a}'),
    admin('POST', '/{a}/admin-keys', adminBodies.adminKey, 'operator'),
    admin('GET', '/{a}/admin-keys'),
    admin('DELETE', '/{a}/admin-keys/{x}', undefined, 'operator'),
    admin('POST', '/{s}/scim/enable'),
    admin('POST', '/{s}/scim/disable'),
    admin('POST', '/{a}/scim/tokens', adminBodies.token),
    admin('GET', '/{a}/scim/tokens'),
    admin('DELETE', '/{a}/scim/tokens/{x}'),
    admin('GET', '/{a}/roles'),
    admin('POST', '/{a}/roles', adminBodies.role),
    { ...admin('GET', '/{a}/users'), query: fc.array(fc.tuple(fc.constantFrom('startIndex', 'count', 'source', 'status', 'userName', 'role', ...PROTOTYPE_NAMES), queryValue), { maxLength: 4 }).map(queryOf) },
    admin('POST', '/{a}/users', adminBodies.manualUser),
    admin('GET', '/{a}/users/{u}'),
    admin('POST', '/{a}/users/{u}/roles', adminBodies.assignRole),
    // {x}, not the fixture's user: an erasure would leave the SCIM routes nobody to work on.
    admin('POST', '/{a}/users/{x}/erase', adminBodies.erase),
    admin('GET', '/{a}/custom-attributes'),
    admin('POST', '/{a}/custom-attributes', adminBodies.customAttribute),
    admin('PUT', '/{a}/undeclared-extensions', adminBodies.undeclaredExtensions),
    admin('GET', '/{a}/retention'),
    admin('PUT', '/{a}/retention', adminBodies.retention),
    admin('DELETE', '/{a}/users/{u}/roles/{r}'),
    admin('GET', '/{a}/groups'),
    admin('POST', '/{a}/groups', adminBodies.platformGroup),
    admin('PUT', '/{a}/groups/{g}/roles', adminBodies.roleMapping),
    admin('POST', '/{a}/groups/{p}/members', adminBodies.members),
    admin('DELETE', '/{a}/groups/{p}/members/{u}'),
    admin('DELETE', '/{a}/groups/{x}'),
    { family: 'admin', method: 'GET', credential: 'none', template: '/admin/docs-json' },
    audit('/events'),
    audit('/users/{u}/events'),
    audit('/groups/{g}/events'),
    audit('/events.ndjson'),
    support('/users'),
    support('/users/{u}/explain'),
    support('/users/{u}/timeline'),
    support('/users/{u}/roles'),
    support('/roles/{r}/holders'),
    support('/access'),
    support('/access-diff'),
    support('/groups/{g}/members'),
    support('/activity'),
    {
      family: 'events',
      method: 'GET',
      credential: 'events',
      template: '/api/v1/accounts/{a}/events',
      query: fc.array(fc.tuple(fc.constantFrom('after', 'limit', 'types', ...PROTOTYPE_NAMES), fc.oneof(queryValue, fc.constantFrom('user.deleted', 'user.deleted,group.created'))), { maxLength: 3 }).map(queryOf),
    },
    admin('GET', '/{a}/events-keys'),
    admin('POST', '/{a}/events-keys', adminBodies.adminKey),
    admin('DELETE', '/{a}/events-keys/{x}'),
    // Registering endpoints is left out: a valid one would make the delivery worker call out of the test.
    admin('GET', '/{a}/webhooks'),
    admin('GET', '/{a}/webhooks/{x}'),
    { ...admin('GET', '/{a}/webhooks/{x}/deliveries'), query: fc.array(fc.tuple(fc.constantFrom('limit', 'before'), queryValue), { maxLength: 2 }).map(queryOf) },
    { family: 'console', method: 'GET', credential: 'none', template: '/support/console' },
    { family: 'health', method: 'GET', credential: 'none', template: '/health' },
    { family: 'unknown', method: 'GET', credential: 'scim', template: '/scim/v2/{a}/{x}/{x}' },
  ];
}

/** Path segments that probe routing and decoding: traversal, encoded slashes, malformed escapes, prototype names. */
const PATH_TRICKS = ['..', '.', '%2e%2e', '%2F', '..%2F..%2Fadmin', '%00', '%ZZ', '%', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF', '.search', '*', ';', '~', 'x'.repeat(20_000)];

const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...PATH_TRICKS), weight: 3 },
  // Role names, user and group ids in paths become lookup keys: a prototype name there answered 500.
  { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES), weight: 3 },
  { arbitrary: shortHostileString.map(encodeSegment), weight: 4 },
  { arbitrary: fc.uuid(), weight: 2 },
);

function segmentFor(placeholder: string, targets: FuzzTargets): fc.Arbitrary<string> {
  const own: Readonly<Record<string, string>> = {
    a: targets.accountId,
    u: targets.userId,
    g: targets.groupId,
    p: targets.platformGroupId,
    r: targets.role,
    s: targets.scratchAccountId,
  };
  const other: Readonly<Record<string, string>> = {
    a: targets.canaryAccountId,
    u: targets.canaryUserId,
    g: targets.canaryGroupId,
    p: targets.canaryGroupId,
  };
  const known = own[placeholder];
  const choices: Array<fc.WeightedArbitrary<string>> = [{ arbitrary: hostileSegment, weight: 2 }];
  // Mostly the right account: a wrong one is refused at authentication, before any handler.
  if (known !== undefined) choices.push({ arbitrary: fc.constant(known), weight: placeholder === 'a' ? 24 : 8 });
  if (other[placeholder] !== undefined) choices.push({ arbitrary: fc.constant(other[placeholder]), weight: 1 });
  return fc.oneof(...choices);
}

function pathFor(route: Route, targets: FuzzTargets): fc.Arbitrary<string> {
  const parts = route.template.split(/(\{[a-z]\})/).filter((part) => part !== '');
  return fc
    .tuple(...parts.map((part) => (/^\{[a-z]\}$/.test(part) ? segmentFor(part[1], targets) : fc.constant(part))), route.query ?? fc.constant(''))
    .map((pieces) => pieces.join(''));
}

const CONTENT_TYPES = [
  'application/scim+json', 'application/json', 'application/scim+json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.evil+json', '*/*', 'application/json; charset="utf-8"; x=y',
];

const oddHeaders: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constant('If-Match'), fc.constantFrom('*', 'W/"0"', 'W/"-1"', '"1"', 'W/"99999999999999999999"', 'W/"1e309"', 'garbage', 'W/', '"', 'W/"__proto__"', 'W/"1", W/"2"', 'x'.repeat(8000))),
      fc.tuple(fc.constant('If-None-Match'), fc.constantFrom('*', 'W/"0"', 'garbage')),
      fc.tuple(fc.constant('Accept'), fc.constantFrom('text/html', 'application/xml', '*/*;q=0', 'application/scim+json;q=x')),
      fc.tuple(fc.constant('Content-Encoding'), fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'garbage', 'gzip, gzip', 'x'.repeat(200))),
      fc.tuple(fc.constant('X-Request-Id'), fc.constantFrom('short', 'x'.repeat(500), '../../etc', '__proto__ with spaces')),
      fc.tuple(fc.constant('X-Forwarded-For'), fc.constantFrom('1.2.3.4', 'garbage', '::1, 10.0.0.1')),
      fc.tuple(fc.constant('Host'), fc.constantFrom('evil.example', 'localhost:1', '[::1]')),
    ),
    { maxLength: 2 },
  )
  .map((pairs) => Object.fromEntries(pairs));

/** Bytes that are not UTF-8: overlong encodings, surrogates, truncated sequences, stray continuation bytes. */
const INVALID_UTF8 = [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xfe, 0xff], [0xe2, 0x82], [0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];

/** The body's bytes: the route's JSON, a raw JSON text, deep nesting, invalid UTF-8, or a very large body. */
function bodyFor(route: Route): fc.Arbitrary<Buffer | undefined> {
  const routeJson = route.body ?? hostileValue;
  const plain = routeJson.map((value) => Buffer.from(json(value), 'utf8'));
  // Big bodies: a 4 MB displayName (valid SCIM, under the body limit) and one over the 16 MB limit; rare, they are slow to send.
  const big = fc.constantFrom(4, 17).map((mb) => Buffer.from(json({ schemas: [USER, GROUP], userName: `big-${mb}@example.com`, displayName: 'x'.repeat(mb * 1024 * 1024) })));
  const usual = fc.oneof(
    { arbitrary: plain, weight: route.body ? 20 : 2 },
    { arbitrary: fc.constant(undefined), weight: route.body ? 1 : 6 },
    { arbitrary: fc.constantFrom(...rawJsonTexts).map((text) => Buffer.from(text, 'utf8')), weight: 2 },
    {
      arbitrary: fc.constantFrom(`{"schemas":["${USER}"],"userName":"deep","name":`, `{"schemas":["${PATCH_OP}"],"Operations":`, '{"filter":"userName pr","x":', '{"name":').chain((prefix) => deeplyNested(prefix, '}')).map((text) => Buffer.from(text)),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('userName', 'displayName', 'name', 'role', 'filter')).map(([bytes, key]) =>
        Buffer.concat([Buffer.from(`{"schemas":["${USER}","${GROUP}"],"${key}":"bad`), Buffer.from(bytes), Buffer.from(`","displayName":"x"}`)]),
      ),
      weight: 1,
    },
  );
  return fc.oneof({ arbitrary: usual, weight: 499 }, { arbitrary: big, weight: 1 });
}

function credentialFor(route: Route, targets: FuzzTargets): fc.Arbitrary<Record<string, string>> {
  const own: Record<Credential, string | undefined> = {
    scim: targets.scimToken,
    admin: targets.adminKey,
    operator: targets.operatorKey,
    events: targets.eventsKey,
    none: undefined,
  };
  const expected = own[route.credential];
  const wrong = fc.constantFrom(
    'Bearer ',
    'Bearer garbage',
    'Basic dXNlcjpwYXNz',
    `Bearer ${targets.scimToken}x`,
    `Bearer ${targets.adminKey.slice(0, -1)}`,
    `Bearer ${'a'.repeat(4000)}`,
    'Bearer scim.__proto__.constructor',
    'Bearer admin.constructor.x',
    `bearer ${targets.scimToken}`,
    `Bearer  ${targets.adminKey}`,
  );
  const none: Record<string, string> = {};
  return fc.oneof(
    { arbitrary: fc.constant(expected ? { Authorization: `Bearer ${expected}` } : none), weight: 16 },
    { arbitrary: fc.constantFrom(targets.scimToken, targets.adminKey, targets.operatorKey).map((key) => ({ Authorization: `Bearer ${key}` })), weight: 2 },
    { arbitrary: wrong.map((value) => ({ Authorization: value })), weight: 2 },
    { arbitrary: fc.constant(none), weight: 1 },
  );
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Hostile requests across every route family of the service, aimed at `targets`. */
export function hostileRequest(targets: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const all = routes(targets);
  return fc.constantFrom(...all).chain((route) =>
    fc
      .record({
        method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 12 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
        path: pathFor(route, targets),
        credential: credentialFor(route, targets),
        contentType: fc.oneof({ arbitrary: fc.constant('application/scim+json'), weight: 10 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 }, { arbitrary: fc.constant(''), weight: 1 }),
        headers: fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, { arbitrary: oddHeaders, weight: 1 }),
        body: bodyFor(route),
      })
      .map(({ method, path, credential, contentType, headers, body }) => {
        const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
        // The operator may change any account: on the canary's paths only credentials without rights there.
        const onCanary = path.includes(targets.canaryAccountId) && credential.Authorization === `Bearer ${targets.operatorKey}`;
        return describable({
          kind: `${route.family} ${route.method} ${route.template}`,
          method,
          path,
          headers: { ...(onCanary ? { Authorization: `Bearer ${targets.adminKey}` } : credential), ...(withBody && contentType ? { 'Content-Type': contentType } : {}), ...headers },
          ...(withBody ? { body } : {}),
        });
      }),
  );
}

/** What a failure report shows of a request: enough to replay it, without megabytes of body. */
export function describe(request: HostileRequest): string {
  const body = request.body === undefined ? '' : ` body(${request.body.length} B)=${clip(request.body.toString('utf8'), 600)}`;
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${clip(value, 120)}`)
    .join('; ');
  return `[${request.kind}] ${request.method} ${clip(request.path, 600)} {${headers}}${body}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

function describable(request: HostileRequest): HostileRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => describe(request) });
}
