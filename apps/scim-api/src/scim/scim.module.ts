import { Global, Module } from '@nestjs/common';
import { RefusedWrites } from './refused-writes';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimBaseUrl } from './scim-base-url';
import { TokenUsage } from './token-usage';

/** What every SCIM resource slice shares: authentication, base URLs, the record of refused writes. */
@Global()
@Module({
  providers: [ScimAuthGuard, ScimBaseUrl, RefusedWrites, TokenUsage],
  exports: [ScimAuthGuard, ScimBaseUrl, RefusedWrites, TokenUsage],
})
export class ScimModule {}
