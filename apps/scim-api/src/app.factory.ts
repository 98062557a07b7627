import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import { toScimError } from './scim/error-mapping';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin/admin.module';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { openDataFolder } from './config/data-folder';
import { resolveOperatorKey } from './config/operator-key';
import { createLogger, PinoNestLogger, silentLogger, type Logger } from './observability/logger';
import { installRequestLog } from './observability/request-log';
import { RefusedWrites } from './scim/refused-writes';
import { ScimExceptionFilter } from './scim/scim-exception.filter';
import { ScimValidationPipe } from './scim/scim-validation.pipe';
import { requestIdMiddleware } from './shared/request-id.middleware';

/** RFC 7644 §3.1 names application/scim+json; Okta may send application/json. Both are JSON. */
const JSON_TYPES = ['application/json', 'application/scim+json', 'application/*+json'];

// Group PATCHes with thousands of members are large; 16 MB holds ~200k member references.
const parseJson = json({ type: JSON_TYPES, limit: '16mb', strict: false });

/** Parses JSON bodies; a parse failure becomes a SCIM error here, before Nest maps it to a generic 400. */
function scimJsonBody(request: Request, response: Response, next: NextFunction): void {
  parseJson(request, response, (error?: unknown) => next(error === undefined ? undefined : toScimError(error)));
}

/**
 * Builds the HTTP application exactly as main.ts serves it; e2e tests use the same function.
 * `logger`: where every log line goes (LOG_FORMAT/LOG_LEVEL on stdout by default; false: nowhere).
 */
export async function createApp(config: AppConfig, logger?: Logger | false): Promise<INestApplication> {
  // Owned before anything in it is opened (the platform keys included); released when the app closes.
  const dataFolder = config.storage.kind === 'embedded' ? openDataFolder(config.dataDir) : undefined;
  try {
    const operator = resolveOperatorKey(config);
    const log = logger === false ? silentLogger() : (logger ?? createLogger(config.logging));
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, operator.key, log, dataFolder), {
      bodyParser: false,
      logger: new PinoNestLogger(log),
      // A failed start-up is thrown to the caller (main.ts says it in one line), not aborted here.
      abortOnError: false,
    });
    configureApp(app);
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
    .setTitle('SCIM provisioning service: admin API')
    .setDescription('Accounts, SCIM tokens, manual users and roles, groups and role mappings. Bearer: the operator key or an account admin key.')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [AdminModule] });
  SwaggerModule.setup('admin/docs', app, document);
}

export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  // Express would hash every body it sends for a weak ETag (SHA-1 of a 100-user page: 6 % of its
  // CPU). SCIM resources carry their own ETag, the stream revision; lists and the admin API need none.
  app.set('etag', false);
  installRequestLog(app);
  app.use(requestIdMiddleware);
  app.use(scimJsonBody);
  app.useGlobalPipes(new ScimValidationPipe());
  app.useGlobalFilters(new ScimExceptionFilter(app.get(RefusedWrites)));
  app.enableShutdownHooks();
}
