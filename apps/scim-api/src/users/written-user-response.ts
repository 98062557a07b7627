import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { WrittenUser } from '@scim/provisioning';
import type { Request, Response } from 'express';
import { AccountSchemaReader } from '../scim/account-schemas';
import { ScimBaseUrl } from '../scim/scim-base-url';
import type { CommandContext } from '../shared/request-context';
import { withGroups } from './user-groups/user-groups.query';
import { sendUser, snapshotOfWritten, withAccountSchema, type AttributeSelection } from './user-presenter';

/** The 200 a replace or a patch answers: the user as written, selected, with its groups when shown. */
@Injectable()
export class WrittenUserResponse {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly schemas: AccountSchemaReader,
  ) {}

  async send(response: Response, request: Request, context: CommandContext, written: WrittenUser, selection: AttributeSelection): Promise<void> {
    const snapshot = await withGroups(this.queryBus, context.accountId, snapshotOfWritten(written), selection);
    sendUser(response, 200, snapshot, this.baseUrls.of(request, context.accountId), await withAccountSchema(selection, () => this.schemas.of(context.accountId)));
  }
}
