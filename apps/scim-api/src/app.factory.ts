import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { NextFunction, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin/admin.module';
import { AppModule } from './app.module';
import { AuditModule } from './audit/audit.module';
import { SupportModule } from './support/support.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import type { AppConfig, HttpTimeouts } from './config/app-config';
import { openDataFolder } from './config/data-folder';
import { resolveOperatorKey } from './config/operator-key';
import { answerParserRefusals } from './edge/parser-refusals';
import { RequestEdge } from './edge/request-edge';
import { createLogger, PinoNestLogger, silentLogger, type Logger } from './observability/logger';
import { requestLogOf } from './observability/request-log';
import { RefusedWrites } from './scim/refused-writes';
import { ScimExceptionFilter } from './scim/scim-exception.filter';
import { ScimValidationPipe } from './scim/scim-validation.pipe';
import type { AuthenticatedRequest } from './shared/request-context';
import { assignRequestId } from './shared/request-id.middleware';

/**
 * Builds the HTTP application exactly as main.ts serves it; e2e tests use the same function.
 * `logger`: where every log line goes (LOG_FORMAT/LOG_LEVEL on stdout by default; false: nowhere).
 */
export async function createApp(config: AppConfig, logger?: Logger | false): Promise<INestApplication> {
  // Owned before anything in it is opened (the platform keys included); released when the app closes.
  const dataFolder = config.storage.kind === 'embedded' ? openDataFolder(config.dataDir) : undefined;
  try {
    // Generated into DATA_DIR on the first start, before any module reads it.
    resolveOperatorKey(config);
    const log = logger === false ? silentLogger() : (logger ?? createLogger(config.logging));
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, log, dataFolder), {
      // The request edge reads bodies, after authentication and admission (RequestEdge).
      bodyParser: false,
      logger: new PinoNestLogger(log),
      // A failed start-up is thrown to the caller (main.ts says it in one line), not aborted here.
      abortOnError: false,
    });
    configureApp(app);
    if (config.edge.trustProxy !== undefined) app.set('trust proxy', config.edge.trustProxy);
    configureServer(app.getHttpServer() as Server, config.edge.timeouts);
    answerParserRefusals(app.getHttpServer() as Server);
    documentAdminApi(app);
    await app.init();
    return app;
  } catch (error) {
    dataFolder?.release();
    throw error;
  }
}

/** OpenAPI for the admin API at /admin/docs (JSON at /admin/docs-json). */
function documentAdminApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('SCIM provisioning service: admin, audit and support API')
    .setDescription(
      'Accounts, SCIM tokens, manual users and roles, groups and role mappings, webhooks and events API keys; audit histories; support answers. Bearer: the operator key, an account admin key or (audit, support) the auditor key; the events API takes an events key.',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque key', description: 'operator key, admin.<id>.<secret> or auditor key' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [AdminModule, AuditModule, SupportModule, WebhooksModule] });
  SwaggerModule.setup('admin/docs', app, document);
}

export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  // Express would hash every body it sends for a weak ETag (SHA-1 of a 100-user page: 6 % of its
  // CPU). SCIM resources carry their own ETag, the stream revision; lists and the admin API need none.
  app.set('etag', false);
  // The request log, the request id and the edge in one Express layer: each layer costs the
  // router a path match and several megamorphic reads and writes of the request.
  const startLog = requestLogOf(app);
  const edge = app.get(RequestEdge).handle;
  app.use((request: AuthenticatedRequest, response: Response, next: NextFunction) => {
    startLog(request, response);
    assignRequestId(request, response);
    edge(request, response, next);
  });
  app.useGlobalPipes(new ScimValidationPipe());
  app.useGlobalFilters(new ScimExceptionFilter(app.get(RefusedWrites)));
  app.enableShutdownHooks();
}

/** Cuts slow clients (Node's defaults keep a trickling body open for 300 s), and spares refused ones their upload. */
function configureServer(server: Server, timeouts: HttpTimeouts): void {
  // Node would answer `Expect: 100-continue` at once; the request edge does, once the request is
  // authenticated and admitted (JsonBodyReader), so a refused client never sends its body.
  server.on('checkContinue', (request, response) => server.emit('request', request, response));
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = timeouts.headersMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // Node enforces the two timeouts on a periodic sweep, every 30 s by default, which would let a slow
  // client hold on up to 30 s longer; it reads this value when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, Math.ceil(Math.min(timeouts.requestMs, timeouts.headersMs) / 4));
}
