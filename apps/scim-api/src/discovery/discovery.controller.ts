import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { accountSchemas, listResponse, resourceTypesResources, schemasResources, ScimError, serviceProviderConfig, type AccountSchemas } from '@scim/scim-protocol';
import { AccountSchemaReader } from '../scim/account-schemas';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { MAX_RESULTS } from '../scim/paging';
import { sendScim } from '../scim/scim-response';
import type { AuthenticatedRequest } from '../shared/request-context';

/**
 * RFC 7644 §4 discovery endpoints. They describe the service, so they answer without a token
 * (Okta and Entra send one anyway; the request edge refuses a wrong one). The schema extensions an
 * account declared are shown to its own SCIM clients only: their names are the account's business.
 */
@Controller('scim/v2/:accountId')
export class DiscoveryController {
  constructor(
    private readonly baseUrls: ScimBaseUrl,
    private readonly accounts: AccountSchemaReader,
  ) {}

  private schemasFor(request: AuthenticatedRequest, accountId: string): Promise<AccountSchemas> {
    const principal = request.principal;
    const ownClient = principal?.kind === 'scim-token' && principal.accountId === accountId;
    return ownClient ? this.accounts.of(accountId) : Promise.resolve(accountSchemas());
  }

  @Get('ServiceProviderConfig')
  config(@Param('accountId') accountId: string, @Query('filter') filter: unknown, @Req() request: Request, @Res() response: Response) {
    refuseFilter(filter);
    const baseUrl = this.baseUrls.of(request, accountId);
    sendScim(response, 200, serviceProviderConfig(baseUrl, { maxResults: MAX_RESULTS }));
  }

  @Get('Schemas')
  async schemas(@Param('accountId') accountId: string, @Query('filter') filter: unknown, @Req() request: AuthenticatedRequest, @Res() response: Response) {
    refuseFilter(filter);
    const all = schemasResources(this.baseUrls.of(request, accountId), await this.schemasFor(request, accountId));
    sendScim(response, 200, listResponse(all, { totalResults: all.length, startIndex: 1, itemsPerPage: all.length }));
  }

  @Get('Schemas/:schemaId')
  async schema(@Param('accountId') accountId: string, @Param('schemaId') schemaId: string, @Req() request: AuthenticatedRequest, @Res() response: Response) {
    // URNs compare case-insensitively (RFC 8141 §3.1 for the NID; the service treats the whole URN so, as it does in bodies).
    const found = schemasResources(this.baseUrls.of(request, accountId), await this.schemasFor(request, accountId)).find((s) => s.id.toLowerCase() === schemaId.toLowerCase());
    if (!found) throw new ScimError(404, `Schema ${schemaId} not found`);
    sendScim(response, 200, found);
  }

  @Get('ResourceTypes')
  async resourceTypes(@Param('accountId') accountId: string, @Query('filter') filter: unknown, @Req() request: AuthenticatedRequest, @Res() response: Response) {
    refuseFilter(filter);
    const all = resourceTypesResources(this.baseUrls.of(request, accountId), await this.schemasFor(request, accountId));
    sendScim(response, 200, listResponse(all, { totalResults: all.length, startIndex: 1, itemsPerPage: all.length }));
  }

  @Get('ResourceTypes/:name')
  async resourceType(@Param('accountId') accountId: string, @Param('name') name: string, @Req() request: AuthenticatedRequest, @Res() response: Response) {
    const found = resourceTypesResources(this.baseUrls.of(request, accountId), await this.schemasFor(request, accountId)).find((r) => r.id === name || r.name === name);
    if (!found) throw new ScimError(404, `Resource type ${name} not found`);
    sendScim(response, 200, found);
  }
}

/** RFC 7644 §4: filtering these endpoints SHOULD be answered with 403. */
function refuseFilter(filter: unknown): void {
  if (filter !== undefined) throw new ScimError(403, 'Filtering is not supported on discovery endpoints');
}
