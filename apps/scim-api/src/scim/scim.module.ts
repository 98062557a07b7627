import { Global, Module } from '@nestjs/common';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimBaseUrl } from './scim-base-url';

/** What every SCIM resource slice shares: authentication and base URLs. */
@Global()
@Module({
  providers: [ScimAuthGuard, ScimBaseUrl],
  exports: [ScimAuthGuard, ScimBaseUrl],
})
export class ScimModule {}
