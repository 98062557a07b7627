import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Server } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { JsonBodyReader } from '../../apps/scim-api/src/edge/json-body-reader';
import { expectScimError, GROUP_SCHEMA, OPERATOR_KEY, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

const MIB = 1024 * 1024;
const SCIM_JSON = 'application/scim+json';
const deeplyNested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const portOf = (testApp: TestApp): number => (testApp.app.getHttpServer().address() as AddressInfo).port;

/** Sends exactly these bytes (supertest would serialise a Buffer sent as JSON). */
async function sendBytes(port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'Content-Length': String(body.length) } });
  outgoing.end(body);
  const [incoming] = (await once(outgoing, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return { status: incoming.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
}

/** Issue 12: what a request must pass before its body is read, and how the body is read. */
describe('the request edge (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let server: Server;
  let bodyReads: jest.SpyInstance;

  const userCount = async (): Promise<number> => (await scimClient(testApp, account).get('/Users').expect(200)).body.totalResults;
  const raw = (method: 'post' | 'put' | 'patch', path: string, token: string, body: string | Buffer, contentType = SCIM_JSON) =>
    request(server)[method](path).set('Authorization', `Bearer ${token}`).set('Content-Type', contentType).send(body);

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Edge');
    await testApp.app.listen(0, '127.0.0.1');
    server = testApp.app.getHttpServer();
  });
  beforeEach(() => {
    bodyReads = jest.spyOn(testApp.app.get(JsonBodyReader), 'read');
  });
  afterEach(() => bodyReads.mockRestore());
  afterAll(() => testApp.close());

  describe('authentication before the body', () => {
    const sixteenMegabytes = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'big@edge.test', displayName: 'x'.repeat(16 * MIB) });

    // supertest's own requests ask for Connection: close; the raw-socket tests below show the server's choice.
    it.each([
      ['SCIM, no token', 'post', (): string => `${account.base}/Users`, ''],
      ['SCIM, wrong token', 'post', (): string => `${account.base}/Users`, 'scim.00000000-0000-4000-8000-000000000000.wrong'],
      ['SCIM, a token of another account', 'put', (): string => '/scim/v2/another-account/Groups/g', 'TOKEN'],
      ['admin, wrong key', 'post', (): string => '/admin/accounts', 'not-the-operator-key-0123456789'],
      ['admin of an account, wrong key', 'post', (): string => `/admin/accounts/${account.accountId}/users`, 'admin.x.y'],
      ['support, no key', 'post', (): string => `/support/accounts/${account.accountId}/users`, ''],
      ['audit, SCIM token', 'post', (): string => `/audit/accounts/${account.accountId}/events`, 'TOKEN'],
    ] as const)('%s: a 16 MB body is refused 401 unread', async (_, method, path, token) => {
      const res = await raw(method, path(), token === 'TOKEN' ? account.token : token, sixteenMegabytes).expect(401);
      expectScimError(res.body, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="SCIM"');
      expect(bodyReads).not.toHaveBeenCalled();
    });

    it('reads the body of an authenticated request', async () => {
      await scimClient(testApp, account).post('/Users/.search', { filter: 'userName eq "nobody@edge.test"' }).expect(200);
      expect(bodyReads).toHaveBeenCalledTimes(1);
    });

    it('answers discovery and the 501 endpoints without a credential, never reading a body', async () => {
      await request(server).get(`${account.base}/ServiceProviderConfig`).expect(200);
      await request(server).post(`${account.base}/Me`).set('Content-Type', SCIM_JSON).send(sixteenMegabytes).expect(501);
      expect(bodyReads).not.toHaveBeenCalled();
    });

    it('refuses an unauthenticated /Bulk before its body, and a Bulk body over the advertised maxPayloadSize with 413', async () => {
      await request(server).post(`${account.base}/Bulk`).set('Content-Type', SCIM_JSON).send(sixteenMegabytes).expect(401);
      expect(bodyReads).not.toHaveBeenCalled();
      const advertised = (await request(server).get(`${account.base}/ServiceProviderConfig`).expect(200)).body.bulk.maxPayloadSize as number;
      const tooLarge = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [], padding: 'x'.repeat(advertised) });
      const refused = await raw('post', `${account.base}/Bulk`, account.token, tooLarge).expect(413);
      expectScimError(refused.body, 413);
    });
  });

  describe('body limits', () => {
    const groupOf = (members: number) =>
      JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: 'Everyone', members: Array.from({ length: members }, (_, i) => ({ value: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })) });

    it('takes a 50,000-member group body (about 2.5 MB) but refuses it as a user, 413 naming the limit', async () => {
      const fiftyThousand = groupOf(50_000);
      expect(fiftyThousand.length).toBeGreaterThan(2 * MIB);
      // Past the edge: the members are unknown, which the domain refuses (400), not the edge (413).
      const asGroup = await raw('post', `${account.base}/Groups`, account.token, fiftyThousand).expect(400);
      expectScimError(asGroup.body, 400, 'invalidValue');

      const asUser = await raw('post', `${account.base}/Users`, account.token, fiftyThousand).expect(413);
      expectScimError(asUser.body, 413);
      expect(asUser.body.detail).toBe(`Request body is larger than ${MIB} bytes, the limit for this route (BODY_LIMIT_USER_BYTES)`);
    });

    it('refuses a group body over 4 MB, and search, admin, audit and support bodies over 64 KB', async () => {
      const overFour = await raw('patch', `${account.base}/Groups/g`, account.token, JSON.stringify({ schemas: [PATCH_OP], padding: 'x'.repeat(4 * MIB) })).expect(413);
      expect(overFour.body.detail).toMatch(/BODY_LIMIT_GROUP_BYTES/);
      const big = JSON.stringify({ filter: 'userName pr', padding: 'x'.repeat(64 * 1024) });
      for (const [path, token] of [
        [`${account.base}/Users/.search`, account.token],
        [`${account.base}/Groups/.search`, account.token],
        ['/admin/accounts', OPERATOR_KEY],
        [`/admin/accounts/${account.accountId}/roles`, OPERATOR_KEY],
        [`/support/accounts/${account.accountId}/users`, OPERATOR_KEY],
      ]) {
        const res = await raw('post', path, token, big).expect(413);
        expect(res.body.detail).toMatch(/than 65536 bytes.*BODY_LIMIT_SMALL_BYTES/);
      }
    });

    it.each([
      ['a declared Content-Length over the limit', (): string => account.token, 413],
      ['an unauthenticated 16 MB upload', (): string => 'scim.wrong.token', 401],
    ])('refuses %s after one byte of it, and closes the connection', async (_, token, status) => {
      const socket = connect(portOf(testApp), '127.0.0.1');
      socket.write(`POST ${account.base}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token()}\r\nContent-Type: ${SCIM_JSON}\r\nContent-Length: ${16 * MIB}\r\n\r\n{`);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      await once(socket, 'close');
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      expect(bodyReads).toHaveBeenCalledTimes(status === 413 ? 1 : 0);
    });
  });

  describe('JSON nested 10,000 to 1,000,000 deep, refused before it is parsed', () => {
    it.each([
      ['post', '/Users', (): string => account.token],
      ['put', '/Users/u-1', (): string => account.token],
      ['patch', '/Users/u-1', (): string => account.token],
      ['post', '/Groups', (): string => account.token],
      ['put', '/Groups/g-1', (): string => account.token],
      ['patch', '/Groups/g-1', (): string => account.token],
      ['post', '/groups/g-1/members (admin)', (): string => OPERATOR_KEY],
    ] as const)('%s %s, a million deep: 400 invalidSyntax naming the limit', async (method, path, token) => {
      const url = path.endsWith('(admin)') ? `/admin/accounts/${account.accountId}${path.split(' ')[0]}` : `${account.base}${path}`;
      // Only the opening brackets: a million of them fit the 1 MB user limit.
      const res = await raw(method, url, token(), '['.repeat(1_000_000)).expect(400);
      expectScimError(res.body, 400, 'invalidSyntax');
      expect(res.body.detail).toBe('Request body nests objects or arrays deeper than 64 levels, the limit (JSON_MAX_DEPTH)');
    });

    it.each([
      ['SCIM users .search', (): string => `${account.base}/Users/.search`, (): string => account.token],
      ['SCIM groups .search', (): string => `${account.base}/Groups/.search`, (): string => account.token],
      ['admin: create account', (): string => '/admin/accounts', (): string => OPERATOR_KEY],
      ['admin: issue token', (): string => `/admin/accounts/${account.accountId}/scim/tokens`, (): string => OPERATOR_KEY],
      ['admin: manual user', (): string => `/admin/accounts/${account.accountId}/users`, (): string => OPERATOR_KEY],
      ['admin: issue admin key', (): string => `/admin/accounts/${account.accountId}/admin-keys`, (): string => OPERATOR_KEY],
    ])('%s: 10,000 deep is 400 invalidSyntax, a million deep is 413', async (_, path, token) => {
      expectScimError((await raw('post', path(), token(), deeplyNested(10_000)).expect(400)).body, 400, 'invalidSyntax');
      expectScimError((await raw('post', path(), token(), deeplyNested(1_000_000)).expect(413)).body, 413);
    });

    it('still parses the nesting real SCIM bodies have', async () => {
      const body = { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'm' } } } }] };
      const res = await raw('patch', `${account.base}/Users/u-1`, account.token, JSON.stringify(body));
      expect(res.status).toBe(404);
    });
  });

  describe('encodings', () => {
    const user = (userName: string) => JSON.stringify({ schemas: [USER_SCHEMA], userName });

    it.each([
      ['gzip', gzipSync(user('gzip@edge.test'))],
      ['deflate', Buffer.from(user('deflate@edge.test'))],
      ['garbage', Buffer.from(user('garbage@edge.test'))],
      ['gzip, identity', Buffer.from(user('mixed@edge.test'))],
    ])('Content-Encoding %s: 415, nothing stored', async (encoding, body) => {
      const before = await userCount();
      const res = await sendBytes(portOf(testApp), `${account.base}/Users`, { Authorization: `Bearer ${account.token}`, 'Content-Type': SCIM_JSON, 'Content-Encoding': encoding }, body);
      expect(res.status).toBe(415);
      expectScimError(res.body, 415);
      expect(res.body.detail).toMatch(/Content-Encoding .* is not accepted/);
      expect(await userCount()).toBe(before);
    });

    it('Content-Encoding identity is accepted', async () => {
      await raw('post', `${account.base}/Users`, account.token, user('identity@edge.test')).set('Content-Encoding', 'identity').expect(201);
    });

    it.each(['latin1', 'utf-16', 'iso-8859-1'])('charset %s: 415, nothing stored', async (charset) => {
      const before = await userCount();
      const res = await raw('post', `${account.base}/Users`, account.token, user(`${charset}@edge.test`), `${SCIM_JSON}; charset=${charset}`).expect(415);
      expect(res.body.detail).toMatch(/JSON bodies are UTF-8/);
      expect(await userCount()).toBe(before);
    });

    it('charset utf-8 is accepted, in any case', async () => {
      await raw('post', `${account.base}/Users`, account.token, user('utf8@edge.test'), 'application/json; charset=UTF-8').expect(201);
    });

    it.each([
      ['a lone continuation byte', [0x80]],
      ['a truncated sequence', [0xc3, 0x28]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ])('invalid UTF-8 (%s): 400 invalidSyntax, nothing stored', async (_, bad) => {
      const before = await userCount();
      const body = Buffer.concat([Buffer.from('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bad'), Buffer.from(bad), Buffer.from('@edge.test"}')]);
      const res = await sendBytes(portOf(testApp), `${account.base}/Users`, { Authorization: `Bearer ${account.token}`, 'Content-Type': SCIM_JSON }, body);
      expect(res.status).toBe(400);
      expectScimError(res.body, 400, 'invalidSyntax');
      expect(res.body.detail).toBe('Request body is not valid UTF-8');
      expect(await userCount()).toBe(before);
    });
  });

  describe('security headers', () => {
    it('sends nosniff and no-store on SCIM, admin (a token issue included), audit, support, discovery and errors', async () => {
      const responses = [
        await scimClient(testApp, account).get('/Users').expect(200),
        await testApp.operator('post', `/admin/accounts/${account.accountId}/scim/tokens`, { validForDays: 1 }).expect(201),
        await testApp.operator('post', `/admin/accounts/${account.accountId}/admin-keys`, {}).expect(201),
        await testApp.operator('get', `/audit/accounts/${account.accountId}/events`).expect(200),
        await testApp.operator('get', `/support/accounts/${account.accountId}/activity`).expect(200),
        await request(server).get(`${account.base}/Schemas`).expect(200),
        await request(server).get(`${account.base}/Users`).expect(401),
        await request(server).get('/nowhere').expect(404),
      ];
      for (const res of responses) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });
  });
});

describe('hosts without PUBLIC_URL (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;

  beforeAll(async () => {
    testApp = await startTestApp(undefined, { env: { PUBLIC_URL: '', ALLOWED_HOSTS: 'scim.example.com, 127.0.0.1' } });
    account = await testApp.newAccount('Hosts');
  });
  afterAll(() => testApp.close());

  const create = (host: string, userName: string) =>
    scimClient(testApp, account).post('/Users', { schemas: [USER_SCHEMA], userName }).set('Host', host);

  it('refuses a Host that is not listed, 421, before anything is stored', async () => {
    const res = await create('evil.example', 'evil@hosts.test').expect(421);
    expectScimError(res.body, 421);
    expect(res.body.detail).toBe('This service does not answer for host "evil.example": set PUBLIC_URL, or list the host in ALLOWED_HOSTS');
    expect((await scimClient(testApp, account).get('/Users').set('Host', 'scim.example.com').expect(200)).body.totalResults).toBe(0);
  });

  it('builds Location and meta.location from a listed Host', async () => {
    const res = await create('scim.example.com:8443', 'good@hosts.test').expect(201);
    expect(res.headers.location).toBe(`http://scim.example.com:8443/scim/v2/${account.accountId}/Users/${res.body.id}`);
    expect(res.body.meta.location).toBe(res.headers.location);
  });
});

describe('hosts by default: the loopback names on the service port (e2e)', () => {
  let testApp: TestApp;
  let port: number;

  beforeAll(async () => {
    testApp = await startTestApp(undefined, { env: { PUBLIC_URL: '' } });
    await testApp.app.listen(0, '127.0.0.1');
    port = portOf(testApp);
  });
  afterAll(() => testApp.close());

  it('serves localhost, 127.0.0.1 and [::1] on its port, and refuses any other Host', async () => {
    const server = testApp.app.getHttpServer();
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      await request(server).get('/scim/v2/a/ServiceProviderConfig').set('Host', host).expect(200);
    }
    for (const host of ['evil.example', `evil.example:${port}`, `localhost:${port + 1}`]) {
      await request(server).get('/scim/v2/a/ServiceProviderConfig').set('Host', host).expect(421);
    }
  });
});

describe('raw connections: slow clients, refused uploads, 100-continue (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let port: number;

  beforeAll(async () => {
    testApp = await startTestApp(undefined, { env: { REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '500' } });
    account = await testApp.newAccount('Slow');
    await testApp.app.listen(0, '127.0.0.1');
    port = portOf(testApp);
  });
  afterAll(() => testApp.close());

  /** Sends `head`, then one byte of `trickle` every 50 ms until the server closes the connection. */
  async function trickle(head: string, trickled: string): Promise<{ answer: string; sent: number }> {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write(head);
    const timer = setInterval(() => {
      if (sent < trickled.length && socket.writable) socket.write(trickled[sent++]);
    }, 50);
    await once(socket, 'close');
    clearInterval(timer);
    return { answer, sent };
  }

  it('cuts a body that trickles in: 408 and closed before the body is complete', async () => {
    const body = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'slow@edge.test', displayName: 'x'.repeat(2000) });
    const head = `POST ${account.base}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${account.token}\r\nContent-Type: ${SCIM_JSON}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { answer, sent } = await trickle(head, body);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(body.length);
  });

  it('drains an unread body within the largest limit: the 401 arrives and the connection serves the next request', async () => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const twoMegabytes = JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: 'x'.repeat(2 * MIB) });
    socket.write(`POST ${account.base}/Groups HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer scim.wrong.token\r\nContent-Type: ${SCIM_JSON}\r\nContent-Length: ${twoMegabytes.length}\r\n\r\n`);
    socket.write(twoMegabytes);
    socket.write(`GET ${account.base}/ServiceProviderConfig HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.split('\r\n\r\n')[0]).not.toMatch(/\r\nConnection: close/i);
    expect(answer).toMatch(/\r\n\r\n\{[^]*HTTP\/1\.1 200 OK\r\n/);
  });

  /** Sends a POST with `Expect: 100-continue` and its body only if the server says continue. */
  async function expectContinue(token: string, body: string): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write(body);
    });
    socket.write(
      `POST ${account.base}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${SCIM_JSON}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await once(socket, 'close');
    return answer;
  }

  it('tells a client that expects 100-continue to send its body only once it is authenticated', async () => {
    const body = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'continued@edge.test' });
    const refused = await expectContinue('scim.wrong.token', body);
    expect(refused).toMatch(/^HTTP\/1\.1 401 /);
    const accepted = await expectContinue(account.token, body);
    expect(accepted).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
  });

  it('cuts headers that trickle in', async () => {
    const headers = `X-Padding: ${'x'.repeat(2000)}\r\n\r\n`;
    const { answer, sent } = await trickle(`GET ${account.base}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n`, headers);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(headers.length);
  });
});

describe('base URLs behind a proxy: X-Forwarded-Proto counts only with TRUST_PROXY (e2e)', () => {
  const locationOf = async (env: NodeJS.ProcessEnv): Promise<string> => {
    const testApp = await startTestApp(undefined, { env: { PUBLIC_URL: '', ALLOWED_HOSTS: 'scim.example.com', ...env } });
    try {
      const answer = await request(testApp.app.getHttpServer()).get('/scim/v2/a/ServiceProviderConfig').set('Host', 'scim.example.com').set('X-Forwarded-Proto', 'https').expect(200);
      return answer.body.meta.location;
    } finally {
      await testApp.close();
    }
  };

  it('builds https URLs from a trusted proxy, and plain http ones when no proxy is trusted', async () => {
    expect(await locationOf({ TRUST_PROXY: 'loopback' })).toMatch(/^https:\/\/scim\.example\.com\/scim\/v2\/a\//);
    expect(await locationOf({})).toMatch(/^http:\/\/scim\.example\.com\/scim\/v2\/a\//);
  });
});
