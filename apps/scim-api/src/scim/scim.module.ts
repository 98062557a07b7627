import { Global, Module } from '@nestjs/common';
import { AccountSchemaReader } from './account-schemas';
import { RefusedWrites } from './refused-writes';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimBaseUrl } from './scim-base-url';
import { TokenUsage } from './token-usage';

/** What every SCIM resource slice shares: authentication, base URLs, the record of refused writes, the accounts' schemas. */
@Global()
@Module({
  providers: [ScimAuthGuard, ScimBaseUrl, RefusedWrites, TokenUsage, AccountSchemaReader],
  exports: [ScimAuthGuard, ScimBaseUrl, RefusedWrites, TokenUsage, AccountSchemaReader],
})
export class ScimModule {}
