import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import { toScimError } from './scim/error-mapping';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin/admin.module';
import { AppModule } from './app.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import type { AppConfig } from './config/app-config';
import { resolveOperatorKey } from './config/operator-key';
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

/** Builds the HTTP application exactly as main.ts serves it; e2e tests use the same function. */
export async function createApp(config: AppConfig, logger?: LoggerService | false): Promise<INestApplication> {
  const operator = resolveOperatorKey(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, operator.key), {
    bodyParser: false,
    logger: logger ?? ['log', 'warn', 'error'],
  });
  configureApp(app);
  documentAdminApi(app);
  await app.init();
  return app;
}

/** OpenAPI for the admin API at /admin/docs (JSON at /admin/docs-json). */
function documentAdminApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('SCIM provisioning service: admin API')
    .setDescription('Accounts, SCIM tokens, manual users and roles, groups and role mappings, webhooks and events API keys. Bearer: the operator key or an account admin key; the events API takes an events key.')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [AdminModule, WebhooksModule] });
  SwaggerModule.setup('admin/docs', app, document);
}

export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  // Express would hash every body it sends for a weak ETag (SHA-1 of a 100-user page: 6 % of its
  // CPU). SCIM resources carry their own ETag, the stream revision; lists and the admin API need none.
  app.set('etag', false);
  app.use(requestIdMiddleware);
  app.use(scimJsonBody);
  app.useGlobalPipes(new ScimValidationPipe());
  app.useGlobalFilters(new ScimExceptionFilter(app.get(RefusedWrites)));
  app.enableShutdownHooks();
}
