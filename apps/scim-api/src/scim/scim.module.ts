import { Global, Module } from '@nestjs/common';
import { RefusedWritesInterceptor } from './refused-writes.interceptor';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimBaseUrl } from './scim-base-url';

/** What every SCIM resource slice shares: authentication, base URLs, the record of refused writes. */
@Global()
@Module({
  providers: [ScimAuthGuard, ScimBaseUrl, RefusedWritesInterceptor],
  exports: [ScimAuthGuard, ScimBaseUrl, RefusedWritesInterceptor],
})
export class ScimModule {}
