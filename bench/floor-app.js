'use strict';
// The framework floor of a SCIM route: the ceiling app (Nest 11 on Express) with the request
// pipeline every SCIM route of the service needs, and no domain work at all. What it answers is
// the most any implementation of a route on this stack can reach; the gap between it and the
// ceiling is the framework's, not the store's or the domain's. Printed beside the scenarios.
//
//   PORT=… DATA_DIR=… node bench/floor-app.js
//
// Pipeline, as the service has it: a middleware that gives each request an id, the JSON body
// parser for SCIM's content types, a global pipe, a guard that authenticates the bearer token
// (SHA-256 of the secret, compared in constant time), a parameter decorator for the caller,
// @Query/@Body, and a body sent as bytes with the SCIM content type. Routes:
//   GET  /scim/v2/:accountId/Users?count=1    a ListResponse with one user (the filter scenario's answer)
//   GET  /scim/v2/:accountId/Users?count=100  a ListResponse with 100 users (a page)
//   POST /scim/v2/:accountId/Users            two rows appended durably (SQLite, WAL, synchronous=FULL,
//                                             group commit per tick), then 201 with the user
require('reflect-metadata');
const { createHash, randomUUID, timingSafeEqual } = require('node:crypto');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const express = require('express');
const { Body, Controller, Get, Injectable, Module, Post, Query, Req, Res, UseGuards, UnauthorizedException, createParamDecorator } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { oktaUserBody } = require('./lib/fixtures');

const ACCOUNT = 'floor-account';
const SECRET = 'floor-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const TOKEN = `scim.floor-token.${SECRET}`;
const STORED_HASH = createHash('sha256').update(SECRET).digest();
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

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

class ScimAuthGuard {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const [, id, secret] = bearer.split('.');
    const presented = createHash('sha256').update(secret ?? '').digest();
    if (request.params.accountId !== ACCOUNT || id !== 'floor-token' || !timingSafeEqual(presented, STORED_HASH)) throw new UnauthorizedException();
    request.scimCaller = { accountId: ACCOUNT, tokenId: id };
    return Promise.resolve(true);
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
  app.use((request, response, next) => {
    request.requestId = randomUUID();
    response.setHeader('X-Request-Id', request.requestId);
    next();
  });
  app.use(express.json({ type: ['application/json', 'application/scim+json', 'application/*+json'], limit: '16mb', strict: false }));
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
