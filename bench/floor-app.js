'use strict';
// The framework floor of a SCIM route: the ceiling app (Nest 11 on Express) with the request
// pipeline every SCIM route of the service has, and no domain work at all. What it answers is
// the most any implementation of a route on this stack can reach; the gap between it and the
// ceiling is the framework's, not the store's or the domain's. Printed beside the scenarios.
//
//   PORT=… DATA_DIR=… node bench/floor-app.js
//
// Pipeline, in the service's order (its request edge: a refused request costs no body), the
// first three in one middleware: one log line (pino; a turn's lines in one synchronous write at its end, as
// the service writes them since 2026-12-07) and two metrics
// (prom-client) per request when its response closes; an id for each request; the edge: security headers, the bearer token checked from the headers alone (its record found in
// a Map as the service finds its account, SHA-256 of the secret compared in constant time), and
// only then the body read within a limit, decoded as strict UTF-8, scanned for depth and parsed
// in one JSON.parse; a global pipe; a guard that only confirms the principal; a parameter
// decorator for the caller; @Query/@Body; a body sent as bytes with the SCIM content type. Routes:
//   GET  /scim/v2/:accountId/Users?count=1    a ListResponse with one user (the filter scenario's answer)
//   GET  /scim/v2/:accountId/Users?count=100  a ListResponse with 100 users (a page)
//   POST /scim/v2/:accountId/Users            two rows appended durably (SQLite, WAL, synchronous=FULL,
//                                             group commit per tick), then 201 with the user
require('reflect-metadata');
const { createHash, randomUUID, timingSafeEqual } = require('node:crypto');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const { BadRequestException, Body, Controller, Get, Injectable, Module, Post, Query, Req, Res, UseGuards, UnauthorizedException, createParamDecorator } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const pino = require('pino');
const { Counter, Histogram, Registry } = require('prom-client');
const getRawBody = require('raw-body');
const { oktaUserBody } = require('./lib/fixtures');

const ACCOUNT = 'floor-account';
const SECRET = 'floor-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const TOKEN = `scim.floor-token.${SECRET}`;
const STORED_HASH = createHash('sha256').update(SECRET).digest();
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const JSON_TYPES = ['application/json', 'application/scim+json', 'application/*+json'];
const BODY_LIMIT = 1024 * 1024;
const MAX_DEPTH = 64;
// The token records of the one account, as the service reads its account's tokens.
const TOKENS = new Map([['floor-token', { tokenId: 'floor-token', secretHash: STORED_HASH }]]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A user as the service renders it, for `index` (same shape and size as a served one). */
function userResource(index) {
  const body = oktaUserBody('user', index);
  const id = randomUUID();
  return {
    schemas: body.schemas,
    id,
    externalId: body.externalId,
    userName: body.userName,
    name: body.name,
    displayName: body.displayName,
    locale: body.locale,
    active: true,
    emails: body.emails,
    meta: { resourceType: 'User', created: '2025-01-01T00:00:00.000Z', lastModified: '2025-01-01T00:00:00.000Z', location: `http://127.0.0.1/scim/v2/${ACCOUNT}/Users/${id}`, version: 'W/"0"' },
  };
}

const listResponse = (count) => {
  const resources = Array.from({ length: count }, (_, index) => userResource(index));
  return Buffer.from(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 100_000, startIndex: 1, itemsPerPage: count, Resources: resources }));
};
const ONE = listResponse(1);
const PAGE = listResponse(100);

/** The request edge: headers, then the credential from the headers, then the body (RequestEdge in the service). */
async function pass(request, response) {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Cache-Control', 'no-store');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const [prefix, id, secret] = bearer.split('.');
  const token = prefix === 'scim' ? TOKENS.get(id) : undefined;
  const presented = createHash('sha256').update(secret ?? '').digest();
  const secretOk = timingSafeEqual(presented, token?.secretHash ?? STORED_HASH);
  if (!token || !secretOk || !request.path.startsWith(`/scim/v2/${ACCOUNT}/`)) throw new UnauthorizedException();
  request.principal = { accountId: ACCOUNT, tokenId: token.tokenId };
  if (!request.is(JSON_TYPES)) return;
  const bytes = await getRawBody(request, { length: request.headers['content-length'], limit: BODY_LIMIT });
  request.body = parseBody(bytes);
}

function edge(request, response, next) {
  pass(request, response).then(() => next(), next);
}

/** Strict UTF-8, nesting bounded by one scan, then one JSON.parse (as the service's json-body). */
function parseBody(bytes) {
  if (bytes.length === 0) return {};
  const text = utf8.decode(bytes);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > MAX_DEPTH) throw new BadRequestException('too deep');
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return JSON.parse(text);
}

/** One log line and two metric observations per request, when its response closes. */
function requestLog() {
  const stdout = pino.destination({ dest: 1, sync: true });
  let pending = '';
  const eachTurn = {
    write(line) {
      if (pending === '') {
        setImmediate(() => {
          const lines = pending;
          pending = '';
          stdout.write(lines);
        });
      }
      pending += line;
    },
  };
  const logger = pino({ timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, eachTurn);
  const registry = new Registry();
  const labelNames = ['route', 'method', 'status'];
  const requests = new Counter({ name: 'floor_http_requests_total', help: 'requests', labelNames, registers: [registry] });
  const duration = new Histogram({ name: 'floor_http_request_duration_seconds', help: 'latency', labelNames, registers: [registry] });
  return (request, response) => {
    const startedAt = performance.now();
    response.once('close', () => {
      const seconds = (performance.now() - startedAt) / 1000;
      const route = request.route?.path === undefined ? '(unmatched)' : `${request.baseUrl}${request.route.path}`;
      const labels = { route, method: request.method, status: String(response.statusCode) };
      requests.inc(labels);
      duration.observe(labels, seconds);
      const line = { requestId: request.requestId, method: request.method, route, status: response.statusCode, latencyMs: Math.round(seconds * 10_000) / 10, accountId: request.principal?.accountId, credential: request.principal && `scim-token:${request.principal.tokenId}` };
      logger.info(line, `${request.method} ${route} ${response.statusCode}`);
    });
  };
}

class ScimAuthGuard {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    // The edge authenticated the request; the guard confirms the principal is of the URL's account.
    if (request.principal?.accountId !== request.params.accountId) throw new UnauthorizedException();
    request.scimCaller = request.principal;
    return true;
  }
}
Injectable()(ScimAuthGuard);

const Caller = createParamDecorator((_, ctx) => {
  const request = ctx.switchToHttp().getRequest();
  return { ...request.scimCaller, requestId: request.requestId, at: new Date().toISOString() };
});

/** Durable appends, committed once per tick for every request that arrived in it. */
class Log {
  constructor(dataDir) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'floor.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, data TEXT NOT NULL)');
    const insert = this.db.prepare('INSERT INTO events (stream_id, data) VALUES (?, ?)');
    this.commit = this.db.transaction((rows) => rows.forEach(([stream, data]) => insert.run(stream, data)));
    this.pending = [];
  }

  append(rows) {
    return new Promise((resolve) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ rows, resolve });
    });
  }

  flush() {
    const batch = this.pending;
    this.pending = [];
    this.commit(batch.flatMap((entry) => entry.rows));
    for (const entry of batch) entry.resolve();
  }
}

class UsersController {
  constructor() {
    this.log = new Log(process.env.DATA_DIR ?? join(require('node:os').tmpdir(), 'scim-floor'));
  }

  list(caller, query, request, response) {
    response.status(200).type(CONTENT_TYPE).send(Number(query.count) === 100 ? PAGE : ONE);
  }

  async create(caller, body, request, response) {
    const user = { ...userResource(0), userName: body.userName, externalId: body.externalId };
    // The userName reservation and the user's first event, as a SCIM create appends them.
    await this.log.append([
      [`username-${body.userName}`, JSON.stringify({ userId: user.id })],
      [`user-${user.id}`, JSON.stringify(body)],
    ]);
    response.status(201).type(CONTENT_TYPE).setHeader('Location', user.meta.location).send(Buffer.from(JSON.stringify(user)));
  }
}
const method = (name) => Object.getOwnPropertyDescriptor(UsersController.prototype, name);
Reflect.decorate([Get()], UsersController.prototype, 'list', method('list'));
Reflect.decorate([Post()], UsersController.prototype, 'create', method('create'));
for (const [name, second] of [['list', Query()], ['create', Body()]]) {
  Caller()(UsersController.prototype, name, 0);
  second(UsersController.prototype, name, 1);
  Req()(UsersController.prototype, name, 2);
  Res()(UsersController.prototype, name, 3);
}
UseGuards(ScimAuthGuard)(UsersController);
Controller('scim/v2/:accountId/Users')(UsersController);

class FloorModule {}
Module({ controllers: [UsersController], providers: [ScimAuthGuard] })(FloorModule);

/** The service's global pipe takes well-formed parameters through as they are (its fast path). */
const passThroughPipe = { transform: (value) => value };

async function main() {
  const app = await NestFactory.create(FloorModule, { logger: ['error', 'warn'], bodyParser: false });
  app.disable('x-powered-by');
  app.set('etag', false);
  // In one Express layer, as the service mounts them.
  const startLog = requestLog();
  app.use((request, response, next) => {
    startLog(request, response);
    request.requestId = randomUUID();
    response.setHeader('X-Request-Id', request.requestId);
    edge(request, response, next);
  });
  app.useGlobalPipes(passThroughPipe);
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
  process.stdout.write('floor ready\n');
}

module.exports = { FLOOR_ACCOUNT: ACCOUNT, FLOOR_TOKEN: TOKEN };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
