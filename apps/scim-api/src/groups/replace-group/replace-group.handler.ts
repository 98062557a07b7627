import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { normalizeGroupProfile } from '@scim/scim-protocol';
import { GroupWriteModel } from '@scim/provisioning';
import type { CreatedGroup } from '../create-group/create-group.command';
import { ReplaceGroupCommand } from './replace-group.command';

/** RFC 7644 §3.5.1: the body's members become the whole member list (as deltas against the current one). */
@CommandHandler(ReplaceGroupCommand)
export class ReplaceGroupHandler implements ICommandHandler<ReplaceGroupCommand, CreatedGroup> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context, groupId, body, ifMatch }: ReplaceGroupCommand): Promise<CreatedGroup> {
    const { profile, members, notes } = normalizeGroupProfile(body);
    const written = await this.groups.update(context, groupId, 'scim', ifMatch, () => ({
      displayName: profile.displayName,
      externalId: profile.externalId ?? null,
      members: { add: members, remove: [], removeAll: true },
      notes,
    }));
    return { ...written, members };
  }
}
