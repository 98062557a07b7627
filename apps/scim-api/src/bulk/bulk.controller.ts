import { Body, Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parseBulkRequest, ScimUrn } from '@scim/scim-protocol';
import { ScimAuthGuard } from '../scim/scim-auth.guard';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { sendScim } from '../scim/scim-response';
import { ScimContext, type CommandContext } from '../shared/request-context';
import { BulkOperations } from './bulk-operations';

/** RFC 7644 §3.7: 200 with each operation's outcome; a malformed request or too many operations is refused whole. */
@Controller('scim/v2/:accountId')
@UseGuards(ScimAuthGuard)
export class BulkController {
  constructor(
    private readonly operations: BulkOperations,
    private readonly baseUrls: ScimBaseUrl,
  ) {}

  @Post('Bulk')
  async bulk(@ScimContext() context: CommandContext, @Body() body: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const results = await this.operations.run(context, parseBulkRequest(body), this.baseUrls.of(request, context.accountId));
    sendScim(response, 200, { schemas: [ScimUrn.BulkResponse], Operations: results });
  }
}
