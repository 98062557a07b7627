'use strict';
// The ceiling: the same framework stack as the service (Nest 11 on Express, CommonJS, same Node),
// one endpoint that returns a small JSON and does nothing else. Figures of the service are
// ratios to what this answers on the same machine, in the same run.
//
//   PORT=… node bench/ceiling-app.js
// GET /ping answers {"ok":true,…}; POST /ping takes a JSON body (parsed by Nest's default body
// parser, as a SCIM create's is) and answers the same.
require('reflect-metadata');
const { Body, Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

class PingController {
  ping() {
    return { ok: true, service: 'ceiling', version: 1 };
  }

  echo(body) {
    return { ok: true, service: 'ceiling', fields: body && typeof body === 'object' ? Object.keys(body).length : 0 };
  }
}
// Plain JavaScript: the decorators applied by hand, as TypeScript would emit them.
const method = (name) => Object.getOwnPropertyDescriptor(PingController.prototype, name);
Reflect.decorate([Get()], PingController.prototype, 'ping', method('ping'));
Reflect.decorate([Post(), HttpCode(200)], PingController.prototype, 'echo', method('echo'));
Body()(PingController.prototype, 'echo', 0);
Controller('ping')(PingController);

class CeilingModule {}
Module({ controllers: [PingController] })(CeilingModule);

async function main() {
  const app = await NestFactory.create(CeilingModule, { logger: ['error', 'warn'] });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
  process.stdout.write('ceiling ready\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
