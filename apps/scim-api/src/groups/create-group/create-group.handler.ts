import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { normalizeGroupProfile } from '@scim/scim-protocol';
import { GroupWriteModel } from '@scim/provisioning';
import { CreateGroupCommand, type CreatedGroup } from './create-group.command';

@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler implements ICommandHandler<CreateGroupCommand, CreatedGroup> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context, body }: CreateGroupCommand): Promise<CreatedGroup> {
    const { profile, members, notes } = normalizeGroupProfile(body);
    const written = await this.groups.create(context, randomUUID(), { ...profile, source: 'SCIM' }, members, notes);
    return { ...written, members };
  }
}
