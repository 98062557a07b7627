import { Module } from '@nestjs/common';
import { CreateGroupHandler, DeleteGroupHandler, PatchGroupHandler, ReplaceGroupHandler } from './group-commands';
import { GetGroupHandler, GroupMembersHandler, ListGroupsHandler } from './group-queries';
import { GroupsController } from './groups.controller';

@Module({
  controllers: [GroupsController],
  providers: [CreateGroupHandler, ReplaceGroupHandler, PatchGroupHandler, DeleteGroupHandler, GetGroupHandler, GroupMembersHandler, ListGroupsHandler],
})
export class GroupsModule {}
