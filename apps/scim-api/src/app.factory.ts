import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import { toScimError } from './scim/error-mapping';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin/admin.module';
import { AppModule } from './app.module';
import { AuditModule } from './audit/audit.module';
import { SupportModule } from './support/support.module';
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
    .setTitle('SCIM provisioning service: admin, audit and support API')
    .setDescription('Accounts, SCIM tokens, manual users and roles, groups and role mappings; audit histories; support answers. Bearer: the operator key, an account admin key or (audit, support) the auditor key.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque key', description: 'operator key, admin.<id>.<secret> or auditor key' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [AdminModule, AuditModule, SupportModule] });
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
