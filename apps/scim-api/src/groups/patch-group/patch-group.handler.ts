import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { parsePatchRequest, planGroupPatch } from '@scim/scim-protocol';
import { GroupWriteModel, type WrittenGroup } from '@scim/provisioning';
import { PatchGroupCommand } from './patch-group.command';

/** RFC 7644 §3.5.2 with Okta's and Entra's shapes; membership as deltas, never the whole list. */
@CommandHandler(PatchGroupCommand)
export class PatchGroupHandler implements ICommandHandler<PatchGroupCommand, WrittenGroup> {
  constructor(private readonly groups: GroupWriteModel) {}

  execute({ context, groupId, body, ifMatch }: PatchGroupCommand): Promise<WrittenGroup> {
    const operations = parsePatchRequest(body);
    return this.groups.update(context, groupId, 'scim', ifMatch, (group) => {
      const plan = planGroupPatch({ displayName: group.displayName, ...(group.externalId ? { externalId: group.externalId } : {}) }, operations);
      return {
        displayName: plan.profile?.displayName ?? group.displayName,
        externalId: plan.profile ? (plan.profile.externalId ?? null) : undefined,
        members: { add: plan.membersAdded, remove: plan.membersRemoved, removeAll: plan.removeAllMembers },
        notes: plan.notes,
      };
    });
  }
}
