import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DEFAULT_PLATFORM_GROUPS, DEFAULT_ROLES, DomainError, type UserProfile } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView, type GroupView } from '@scim/read-models/projections';
import { normalizeUserProfile, ScimUrn } from '@scim/scim-protocol';
import { GroupWriteModel, type WrittenGroup, UserWriteModel, type WrittenUser } from '@scim/provisioning';
import type { CommandContext } from '../shared/request-context';
import type { CreateManualUserDto } from './admin.dto';

export class CreateManualUserCommand extends Command<WrittenUser> {
  constructor(
    readonly context: CommandContext,
    readonly user: CreateManualUserDto,
  ) {
    super();
  }
}

export class ChangeManualRoleCommand extends Command<WrittenUser> {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly role: string,
    readonly change: 'assign' | 'remove',
  ) {
    super();
  }
}

export class CreatePlatformGroupCommand extends Command<WrittenGroup> {
  constructor(
    readonly context: CommandContext,
    readonly displayName: string,
  ) {
    super();
  }
}

export class MapGroupToRolesCommand extends Command<WrittenGroup> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly roles: readonly string[],
  ) {
    super();
  }
}

/** Membership of a Platform group (SCIM groups' membership belongs to the IdP). */
export class ChangePlatformGroupCommand extends Command<WrittenGroup | void> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly change: { readonly add: readonly string[]; readonly remove: readonly string[] } | 'delete',
  ) {
    super();
  }
}

/** A new account's default Platform groups (DEFAULT_PLATFORM_GROUPS), each mapped to its default roles. */
export class CreateDefaultGroupsCommand extends Command<void> {
  constructor(readonly context: CommandContext) {
    super();
  }
}

async function roleCatalogue(readStore: ReadStore, accountId: string): Promise<string[]> {
  const account = await readStore.get<AccountView>(Collections.accounts, accountId);
  if (!account) throw new DomainError('account_not_found', 'Account not found');
  return account.roles.map((r) => r.role);
}

@CommandHandler(CreateManualUserCommand)
export class CreateManualUserHandler implements ICommandHandler<CreateManualUserCommand, WrittenUser> {
  constructor(private readonly users: UserWriteModel) {}

  execute({ context, user }: CreateManualUserCommand): Promise<WrittenUser> {
    // The same validation and canonical shape as SCIM profiles, so a later conversion compares like with like.
    const { profile } = normalizeUserProfile({
      schemas: [ScimUrn.User],
      userName: user.userName,
      ...(user.displayName ? { displayName: user.displayName } : {}),
      ...(user.email ? { emails: [{ value: user.email, type: 'work', primary: true }] } : {}),
    });
    return this.users.createManual(context, profile as UserProfile);
  }
}

@CommandHandler(ChangeManualRoleCommand)
export class ChangeManualRoleHandler implements ICommandHandler<ChangeManualRoleCommand, WrittenUser> {
  constructor(
    private readonly users: UserWriteModel,
    private readonly readStore: ReadStore,
  ) {}

  async execute({ context, userId, role, change }: ChangeManualRoleCommand): Promise<WrittenUser> {
    const { accountId, at } = context;
    if (change === 'assign') {
      const knownRoles = await roleCatalogue(this.readStore, accountId);
      return this.users.execute(context, userId, { type: 'AssignRoleManually', accountId, role, knownRoles, at });
    }
    try {
      return await this.users.execute(context, userId, { type: 'RemoveRoleManually', accountId, role, at });
    } catch (error) {
      throw error instanceof DomainError && error.code === 'role_granted_via_group' ? await this.namingGroups(error) : error;
    }
  }

  /** The refusal names the groups that grant the role, so the admin knows what to change in the IdP. */
  private async namingGroups(error: DomainError): Promise<DomainError> {
    const groupIds = error.details.groupIds as string[];
    const names = await Promise.all(groupIds.map(async (id) => (await this.readStore.get<GroupView>(Collections.groups, id))?.displayName ?? id));
    const quoted = names.map((n) => `"${n}"`).join(', ');
    return new DomainError(
      'role_granted_via_group',
      `Role "${String(error.details.role)}" is granted through group ${quoted}; it cannot be removed from the user. Change the group's membership in the identity provider, or the group's role mapping.`,
      { ...error.details, groups: names },
    );
  }
}

@CommandHandler(CreatePlatformGroupCommand)
export class CreatePlatformGroupHandler implements ICommandHandler<CreatePlatformGroupCommand, WrittenGroup> {
  constructor(private readonly groups: GroupWriteModel) {}

  execute({ context, displayName }: CreatePlatformGroupCommand): Promise<WrittenGroup> {
    return this.groups.create(context, randomUUID(), { displayName, source: 'Platform' }, []);
  }
}

@CommandHandler(CreateDefaultGroupsCommand)
export class CreateDefaultGroupsHandler implements ICommandHandler<CreateDefaultGroupsCommand, void> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context }: CreateDefaultGroupsCommand): Promise<void> {
    const { accountId, at } = context;
    // The catalogue was defined with the account itself, in the same command's events.
    const knownRoles = DEFAULT_ROLES.map((r) => r.role);
    for (const { displayName, roles } of DEFAULT_PLATFORM_GROUPS) {
      const groupId = randomUUID();
      await this.groups.create(context, groupId, { displayName, source: 'Platform' }, []);
      await this.groups.execute(context, groupId, { type: 'MapGroupToRoles', accountId, roles, knownRoles, at });
    }
  }
}

@CommandHandler(MapGroupToRolesCommand)
export class MapGroupToRolesHandler implements ICommandHandler<MapGroupToRolesCommand, WrittenGroup> {
  constructor(
    private readonly groups: GroupWriteModel,
    private readonly readStore: ReadStore,
  ) {}

  async execute({ context, groupId, roles }: MapGroupToRolesCommand): Promise<WrittenGroup> {
    const knownRoles = await roleCatalogue(this.readStore, context.accountId);
    return this.groups.execute(context, groupId, { type: 'MapGroupToRoles', accountId: context.accountId, roles, knownRoles, at: context.at });
  }
}

@CommandHandler(ChangePlatformGroupCommand)
export class ChangePlatformGroupHandler implements ICommandHandler<ChangePlatformGroupCommand, WrittenGroup | void> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context, groupId, change }: ChangePlatformGroupCommand): Promise<WrittenGroup | void> {
    if (change === 'delete') {
      await this.groups.execute(context, groupId, { type: 'DeleteGroup', accountId: context.accountId, by: 'admin', at: context.at });
      return;
    }
    return this.groups.update(context, groupId, 'admin', undefined, (group) => ({
      displayName: group.displayName,
      members: { add: change.add, remove: change.remove, removeAll: false },
      notes: [],
    }));
  }
}
