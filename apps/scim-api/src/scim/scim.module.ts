import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RefusedWritesInterceptor } from './refused-writes.interceptor';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimBaseUrl } from './scim-base-url';

/** What every SCIM resource slice shares: authentication, base URLs, the record of refused writes. */
@Global()
@Module({
  providers: [ScimAuthGuard, ScimBaseUrl, { provide: APP_INTERCEPTOR, useClass: RefusedWritesInterceptor }],
  exports: [ScimAuthGuard, ScimBaseUrl],
})
export class ScimModule {}
