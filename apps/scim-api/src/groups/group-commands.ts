import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { normalizeGroupProfile, parsePatchRequest, planGroupPatch } from '@scim/scim-protocol';
import { GroupWriteModel, type WrittenGroup } from '@scim/provisioning';
import type { CommandContext } from '../shared/request-context';

export class CreateGroupCommand extends Command<CreatedGroup> {
  constructor(
    readonly context: CommandContext,
    readonly body: unknown,
  ) {
    super();
  }
}

export class ReplaceGroupCommand extends Command<CreatedGroup> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly body: unknown,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}

export class PatchGroupCommand extends Command<WrittenGroup> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly body: unknown,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}

export class DeleteGroupCommand extends Command<void> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}

export interface CreatedGroup extends WrittenGroup {
  readonly members: readonly string[];
}

@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler implements ICommandHandler<CreateGroupCommand, CreatedGroup> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context, body }: CreateGroupCommand): Promise<CreatedGroup> {
    const { profile, members, notes } = normalizeGroupProfile(body);
    const written = await this.groups.create(context, randomUUID(), { ...profile, source: 'SCIM' }, members, notes);
    return { ...written, members };
  }
}

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

@CommandHandler(DeleteGroupCommand)
export class DeleteGroupHandler implements ICommandHandler<DeleteGroupCommand, void> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context, groupId, ifMatch }: DeleteGroupCommand): Promise<void> {
    await this.groups.execute(context, groupId, { type: 'DeleteGroup', accountId: context.accountId, by: 'scim', at: context.at }, ifMatch);
  }
}
