import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { listResponse, resourceTypesResources, schemasResources, ScimError, serviceProviderConfig } from '@scim/scim-protocol';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { MAX_RESULTS } from '../scim/paging';
import { sendScim } from '../scim/scim-response';

/**
 * RFC 7644 §4 discovery endpoints. They describe the service, not the account's data, so they
 * answer without a token (Okta and Entra send one anyway; it is not checked here).
 */
@Controller('scim/v2/:accountId')
export class DiscoveryController {
  constructor(private readonly baseUrls: ScimBaseUrl) {}

  @Get('ServiceProviderConfig')
  config(@Param('accountId') accountId: string, @Query('filter') filter: unknown, @Req() request: Request, @Res() response: Response) {
    refuseFilter(filter);
    const baseUrl = this.baseUrls.of(request, accountId);
    sendScim(response, 200, serviceProviderConfig(baseUrl, { maxResults: MAX_RESULTS }));
  }

  @Get('Schemas')
  schemas(@Param('accountId') accountId: string, @Query('filter') filter: unknown, @Req() request: Request, @Res() response: Response) {
    refuseFilter(filter);
    const all = schemasResources(this.baseUrls.of(request, accountId));
    sendScim(response, 200, listResponse(all, { totalResults: all.length, startIndex: 1, itemsPerPage: all.length }));
  }

  @Get('Schemas/:schemaId')
  schema(@Param('accountId') accountId: string, @Param('schemaId') schemaId: string, @Req() request: Request, @Res() response: Response) {
    const found = schemasResources(this.baseUrls.of(request, accountId)).find((s) => s.id === schemaId);
    if (!found) throw new ScimError(404, `Schema ${schemaId} not found`);
    sendScim(response, 200, found);
  }

  @Get('ResourceTypes')
  resourceTypes(@Param('accountId') accountId: string, @Query('filter') filter: unknown, @Req() request: Request, @Res() response: Response) {
    refuseFilter(filter);
    const all = resourceTypesResources(this.baseUrls.of(request, accountId));
    sendScim(response, 200, listResponse(all, { totalResults: all.length, startIndex: 1, itemsPerPage: all.length }));
  }

  @Get('ResourceTypes/:name')
  resourceType(@Param('accountId') accountId: string, @Param('name') name: string, @Req() request: Request, @Res() response: Response) {
    const found = resourceTypesResources(this.baseUrls.of(request, accountId)).find((r) => r.id === name || r.name === name);
    if (!found) throw new ScimError(404, `Resource type ${name} not found`);
    sendScim(response, 200, found);
  }
}

/** RFC 7644 §4: filtering these endpoints SHOULD be answered with 403. */
function refuseFilter(filter: unknown): void {
  if (filter !== undefined) throw new ScimError(403, 'Filtering is not supported on discovery endpoints');
}
