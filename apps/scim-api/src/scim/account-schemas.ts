import { Injectable } from '@nestjs/common';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { accountSchemas, type AccountSchemas } from '@scim/scim-protocol';

/**
 * The resource schemas of an account: the service's own plus the extensions its administrators
 * declared (read-your-writes: a declaration settles the account's read model before it answers).
 */
@Injectable()
export class AccountSchemaReader {
  constructor(private readonly readStore: ReadStore) {}

  async of(accountId: string): Promise<AccountSchemas> {
    const account = await this.readStore.get<AccountView>(Collections.accounts, accountId);
    // No account (yet): the service's own schemas.
    return accountSchemas(account?.customAttributes ?? [], account?.undeclaredExtensions ?? 'refuse');
  }
}
